//! Who may do what: every role and ownership check of hoithi, in one place.
//! Route guards (`auth::session::Staff`, `Admin`, `UnitManager`) call the
//! role checks; the use cases call the ownership checks on what they load.

use crate::auth::CurrentUser;
use crate::db::attempts::Participant;
use crate::db::banks::BankRow;
use crate::db::contests::Contest;
use crate::db::rounds::Round;
use crate::domain::people::Role;
use crate::error::{AppError, AppResult};

/// Organizers and admins run contests.
pub fn is_staff(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Organizer)
}

/// Forbidden unless an organizer or an admin.
pub fn require_staff(role: Role) -> AppResult<()> {
    if is_staff(role) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Forbidden unless an admin.
pub fn require_admin(role: Role) -> AppResult<()> {
    if role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Forbidden unless a unit manager.
pub fn require_unit_manager(role: Role) -> AppResult<()> {
    if role == Role::UnitManager { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A contest is managed by its owner and by admins.
pub fn manages_contest(user: &CurrentUser, contest: &Contest) -> bool {
    user.role == Role::Admin || (user.role == Role::Organizer && contest.owner_id == Some(user.id))
}

/// Forbidden unless the user manages the contest.
pub fn require_contest_owner(user: &CurrentUser, contest: &Contest) -> AppResult<()> {
    if manages_contest(user, contest) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A bank is overwritten, retired or corrected for every contest only by
/// the organizer who imported it, or by an admin (shipped banks: admins).
pub fn manages_bank(user: &CurrentUser, bank: &BankRow) -> bool {
    manages_bank_of(user, bank.owner_id)
}

/// [`manages_bank`] for a bank owned by `owner_id`.
pub fn manages_bank_of(user: &CurrentUser, owner_id: Option<i64>) -> bool {
    user.role == Role::Admin || (user.role == Role::Organizer && owner_id == Some(user.id))
}

/// Whether the user sees a round: published rounds are for everyone
/// (subject to the contest's audience); drafts only for who manages it.
pub fn sees_round(user: Option<&CurrentUser>, round: &Round, contest: &Contest) -> bool {
    round.is_published() || user.is_some_and(|u| manages_contest(u, contest))
}

/// Who takes a round: an account, or a resident registered on this device.
#[derive(Clone, Debug)]
pub enum Entrant {
    /// A logged-in account.
    Account(CurrentUser),
    /// A resident: the entries (one per contest) this device holds.
    Resident(Vec<Participant>),
}

impl Entrant {
    /// The account behind it, if any.
    pub fn account(&self) -> Option<&CurrentUser> {
        match self {
            Entrant::Account(u) => Some(u),
            Entrant::Resident(_) => None,
        }
    }

    /// The resident's entry in a contest.
    pub fn resident_in(&self, contest_id: i64) -> Option<&Participant> {
        match self {
            Entrant::Account(_) => None,
            // A family's shared phone: whoever registered or continued
            // last on it takes part now (the others continue with their code).
            Entrant::Resident(ps) => ps.iter().rev().find(|p| p.contest_id == contest_id),
        }
    }

    /// Whether it may take the rounds of a contest: officials and unit
    /// managers when the contest is for officials; organizers and admins
    /// always (to try a round out, unranked); residents in a contest for
    /// residents they registered for.
    pub fn may_enter(&self, contest: &Contest) -> bool {
        match self {
            Entrant::Account(u) => is_staff(u.role) || contest.audience.admits_officials(),
            Entrant::Resident(_) => contest.audience.admits_public() && self.resident_in(contest.id).is_some(),
        }
    }

    /// Whether its attempts count on the boards.
    pub fn is_ranked(&self) -> bool {
        match self {
            Entrant::Account(u) => !is_staff(u.role),
            Entrant::Resident(_) => true,
        }
    }

    /// Whether a participant row is this entrant's.
    pub fn owns(&self, participant: &Participant) -> bool {
        self.owns_participant(participant.id, participant.user_id)
    }

    /// Whether the participant with this id and account is this entrant.
    pub fn owns_participant(&self, participant_id: i64, user_id: Option<i64>) -> bool {
        match self {
            Entrant::Account(u) => user_id == Some(u.id),
            Entrant::Resident(ps) => ps.iter().any(|p| p.id == participant_id),
        }
    }
}
