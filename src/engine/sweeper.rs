//! The sweeper: finalizes attempts past deadline + grace with the answers
//! they hold, makes closed rounds' predictions final, forgets expired
//! sessions and the password sheets of imports past their hour. Every node
//! may run it (each claims its own batches); tests turn the background task
//! off and call [`Engine::sweep`] themselves.

use std::time::Duration;

use super::Engine;
use crate::db::attempts::sweep_batch;
use crate::db::entries::finalize_closed_rounds;
use crate::db::password_sheets::delete_expired_sheets;
use crate::error::AppResult;

/// Attempts finalized per transaction: the writer is never held for long.
pub const BATCH: i64 = 50;
/// How often the background sweeper runs.
pub const EVERY: Duration = Duration::from_secs(2);

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Attempts finalized.
    pub attempts: usize,
    /// Rounds whose predictions were made final.
    pub rounds: usize,
    /// Expired sessions forgotten.
    pub sessions: usize,
    /// Password sheets of imports past their hour, forgotten.
    pub password_sheets: usize,
}

impl Engine {
    /// One sweep, in short transactions.
    pub async fn sweep(&self) -> AppResult<SweepReport> {
        let mut report = SweepReport::default();
        loop {
            let t = self.now();
            let batch = self.write(move |c| sweep_batch(c, t, BATCH)).await?;
            report.attempts += batch.finalized;
            // A batch with nothing to finalize holds only attempts still in their grace.
            if batch.finalized == 0 || (batch.seen as i64) < BATCH {
                break;
            }
        }
        let t = self.now();
        report.rounds = self.write(move |c| finalize_closed_rounds(c, t)).await?;
        report.sessions = self.expire_sessions().await?;
        let t = self.now();
        report.password_sheets = self.write(move |c| delete_expired_sheets(c, t)).await?;
        Ok(report)
    }

    /// Runs [`Engine::sweep`] every [`EVERY`] until the server stops.
    pub fn spawn_sweeper(&self) {
        let engine = self.clone();
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(EVERY);
            loop {
                tick.tick().await;
                match engine.sweep().await {
                    Ok(r) if r.attempts + r.rounds > 0 => {
                        tracing::info!(attempts = r.attempts, rounds = r.rounds, "sweeper finalized")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "sweeper failed"),
                }
            }
        });
    }
}
