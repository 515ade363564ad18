//! The route table: every route with the policy it declares. The same table
//! registers the handlers and is what the authorization matrix test walks,
//! so a route cannot be added without saying who may call it.

use actix_web::{guard, web};

use super::{
    admin, api, auth, bank_upload, boards, health, home, intro, items, join, organize, play, prizes, questions,
    residents, round_tools, share, static_files, stats, unit, users, users_import,
};

/// Who may call a route. The handler enforces it (through a role guard or
/// the engine's ownership checks); the matrix test checks that both agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in account.
    Account,
    /// Someone who may take the round's contest: a logged-in account, or a
    /// resident whose participant cookie holds an entry in it.
    Entrant,
    /// The participant whose attempt it is (anybody else: 404).
    AttemptOwner,
    /// Organizers and admins.
    Staff,
    /// The organizer who owns the contest, or an admin.
    ContestOwner,
    /// The organizer who imported the bank, or an admin (a bank that does
    /// not exist yet may be created by any organizer).
    BankOwner,
    /// Unit managers (each sees their own unit and the units under it).
    UnitManager,
    /// Admins.
    Admin,
    /// Whoever holds the metrics token (`HOITHI_METRICS_TOKEN`).
    MetricsToken,
}

/// One route.
#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The path pattern.
    pub path: &'static str,
    /// Who may call it.
    pub policy: Policy,
}

/// Largest body of an import confirmation (a bank or accounts file,
/// hex-encoded, and the form around it).
const IMPORT_BODY: usize = 2 * crate::auth::csrf::MAX_FILE + 64 * 1024;

macro_rules! routes {
    ($($method:ident $path:literal => $handler:path, $policy:ident $(, limit = $limit:expr)?;)*) => {
        /// Every route, in registration order.
        pub const ROUTES: &[RouteSpec] = &[
            $(RouteSpec { method: routes!(@upper $method), path: $path, policy: Policy::$policy },)*
        ];

        /// Registers every route of [`ROUTES`].
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                #[allow(unused_mut)]
                let mut resource = web::resource($path).guard(routes!(@guard $method));
                $(resource = resource.app_data(web::PayloadConfig::new($limit));)?
                cfg.service(resource.route(web::$method().to($handler)));
            )*
        }
    };
    (@upper get) => { "GET" };
    (@upper post) => { "POST" };
    (@upper put) => { "PUT" };
    (@upper patch) => { "PATCH" };
    (@upper delete) => { "DELETE" };
    (@guard get) => { guard::Get() };
    (@guard post) => { guard::Post() };
    (@guard put) => { guard::Put() };
    (@guard patch) => { guard::Patch() };
    (@guard delete) => { guard::Delete() };
}

routes! {
    get "/" => home::index, Public;
    get "/healthz" => health::healthz, Public;
    get "/metrics" => health::metrics, MetricsToken;
    get "/static/{path:.*}" => static_files::serve, Public;
    get "/login" => auth::login_page, Public;
    post "/login" => auth::login_submit, Public;
    post "/logout" => auth::logout, Account;
    get "/account/password" => auth::password_page, Account;
    post "/account/password" => auth::password_submit, Account;
    get "/admin" => admin::overview, Staff;
    get "/admin/users" => users::users_page, Admin;
    post "/admin/users" => users::create_user, Admin;
    // Before /admin/users/{id}, which "import" would otherwise reach.
    get "/admin/users/import" => users_import::page, Admin;
    post "/admin/users/import" => users_import::import, Admin, limit = IMPORT_BODY;
    post "/admin/users/import/preview" => users_import::preview, Admin;
    get "/admin/users/import/{id}/passwords.csv" => users_import::passwords, Admin;
    get "/admin/users/{id}" => users::user_page, Admin;
    post "/admin/users/{id}" => users::update_user, Admin;
    post "/admin/users/{id}/disable" => users::disable_user, Admin;
    post "/admin/users/{id}/enable" => users::enable_user, Admin;
    post "/admin/users/{id}/reset-password" => users::reset_password, Admin;
    post "/admin/users/{id}/move" => users::move_user, Admin;
    get "/admin/audit" => admin::audit_page, Admin;
    get "/history" => play::history, Entrant;
    get "/unit" => unit::overview, UnitManager;
    get "/unit/rounds/{id}" => unit::round, UnitManager;
    get "/unit/rounds/{id}/missing" => unit::missing_export, UnitManager;
    get "/admin/contests" => organize::contests_page, Staff;
    post "/admin/contests" => organize::create_contest, Staff;
    get "/admin/contests/{slug}" => organize::contest_page, ContestOwner;
    post "/admin/contests/{slug}" => organize::update_contest_form, ContestOwner;
    post "/admin/contests/{slug}/rounds" => organize::create_round_form, ContestOwner;
    post "/admin/contests/{slug}/purge" => organize::purge_form, ContestOwner;
    get "/admin/contests/{slug}/participants" => residents::page, ContestOwner;
    post "/admin/contests/{slug}/participants/{id}/code" => residents::new_code, ContestOwner;
    get "/admin/contests/{slug}/questions" => questions::contest_page, ContestOwner;
    post "/admin/contests/{slug}/questions" => questions::contest_submit, ContestOwner;
    get "/admin/rounds/{id}" => organize::round_page, ContestOwner;
    post "/admin/rounds/{id}" => organize::update_round_form, ContestOwner;
    post "/admin/rounds/{id}/publish" => organize::publish_form, ContestOwner;
    post "/admin/rounds/{id}/close" => organize::close_form, ContestOwner;
    post "/admin/rounds/{id}/copy" => round_tools::copy_form, ContestOwner;
    get "/admin/rounds/{id}/sample" => round_tools::sample_page, ContestOwner;
    get "/admin/rounds/{id}/prizes" => prizes::organizer_page, ContestOwner;
    post "/admin/rounds/{id}/prizes" => prizes::organizer_submit, ContestOwner;
    get "/admin/rounds/{id}/stats" => stats::page, ContestOwner;
    get "/admin/rounds/{id}/stats/{chart}" => stats::chart, ContestOwner;
    get "/admin/rounds/{id}/questions" => questions::round_list, ContestOwner;
    get "/admin/rounds/{id}/questions/{question}" => questions::round_form, ContestOwner;
    post "/admin/rounds/{id}/questions/{question}" => questions::round_submit, ContestOwner;
    get "/admin/rounds/{id}/items" => items::page, ContestOwner;
    get "/admin/banks" => bank_upload::page, Staff;
    post "/admin/banks/preview" => bank_upload::preview, Staff, limit = IMPORT_BODY;
    post "/admin/banks/import" => bank_upload::import, BankOwner, limit = IMPORT_BODY;
    get "/admin/questions" => questions::bank_page, Staff;
    post "/admin/questions" => questions::bank_submit, Staff;
    get "/contests/{slug}" => boards::contest_page, Public;
    get "/contests/{slug}/qr.svg" => share::qr, Public;
    get "/contests/{slug}/poster" => share::poster, Public;
    get "/c/{slug}" => join::join_page, Public;
    get "/c/{slug}/register" => join::register_page, Public;
    post "/c/{slug}/register" => join::register_submit, Public;
    post "/c/{slug}/continue" => join::continue_submit, Public;
    get "/c/{slug}/privacy" => join::privacy_page, Public;
    get "/contests/{slug}/standings" => boards::standings_page, Public;
    get "/rounds/{id}/start" => intro::intro_page, Entrant;
    post "/rounds/{id}/start" => play::start, Entrant;
    get "/rounds/{id}/leaderboard" => boards::leaderboard_page, Public;
    get "/rounds/{id}/units" => boards::units_page, Public;
    get "/rounds/{id}/prizes" => prizes::public_page, Public;
    get "/attempts/{id}" => play::attempt_page, AttemptOwner;
    post "/attempts/{id}" => play::submit_form, AttemptOwner;
    post "/attempts/{id}/save" => play::save_form, AttemptOwner;
    get "/attempts/{id}/result" => play::result_page, AttemptOwner;
    get "/api/v1/openapi.json" => api::openapi, Public;
    post "/api/v1/session" => api::session::create, Public;
    delete "/api/v1/session" => api::session::delete, Public;
    get "/api/v1/me" => api::session::me, Account;
    get "/api/v1/units" => api::units::list, Public;
    get "/api/v1/banks" => api::banks::list, Staff;
    get "/api/v1/banks/{bank}/item-stats" => api::items::bank, BankOwner;
    post "/api/v1/users" => api::users::create, Admin;
    post "/api/v1/users/import" => api::users::import, Admin;
    get "/api/v1/users/imports/{id}/passwords.csv" => api::users::passwords, Admin;
    post "/api/v1/contests" => api::contests::create, Staff;
    get "/api/v1/contests" => api::contests::list, Account;
    patch "/api/v1/contests/{slug}" => api::contests::patch, ContestOwner;
    post "/api/v1/contests/{slug}/participants" => api::participants::register, Public;
    post "/api/v1/contests/{slug}/participants/session" => api::participants::continue_entry, Public;
    get "/api/v1/contests/{slug}/participants" => api::participants::search, ContestOwner;
    post "/api/v1/contests/{slug}/participants/{id}/code" => api::participants::reissue, ContestOwner;
    post "/api/v1/contests/{slug}/personal-data/purge" => api::participants::purge, ContestOwner;
    post "/api/v1/contests/{slug}/rounds" => api::rounds::create, ContestOwner;
    get "/api/v1/contests/{slug}/rounds" => api::rounds::list, Account;
    get "/api/v1/contests/{slug}/standings" => api::boards::standings, Public;
    get "/api/v1/contests/{slug}/item-stats" => api::items::contest, ContestOwner;
    get "/api/v1/contests/{slug}/unit-prizes" => api::prizes::unit_prizes, ContestOwner;
    post "/api/v1/contests/{slug}/questions/{bank}/{key}/void" => api::questions::void_in_contest, ContestOwner;
    post "/api/v1/contests/{slug}/questions/{bank}/{key}/rekey" => api::questions::rekey_in_contest, ContestOwner;
    get "/api/v1/rounds" => api::play::open_rounds, Entrant;
    patch "/api/v1/rounds/{id}" => api::rounds::patch, ContestOwner;
    post "/api/v1/rounds/{id}/publish" => api::rounds::publish, ContestOwner;
    post "/api/v1/rounds/{id}/close" => api::rounds::close, ContestOwner;
    post "/api/v1/rounds/{id}/copy" => api::rounds::copy, ContestOwner;
    get "/api/v1/rounds/{id}/sample" => api::rounds::sample, ContestOwner;
    post "/api/v1/rounds/{id}/attempts" => api::play::start, Entrant;
    get "/api/v1/rounds/{id}/leaderboard" => api::boards::leaderboard, Public;
    get "/api/v1/rounds/{id}/units" => api::boards::units, Public;
    get "/api/v1/rounds/{id}/results.csv" => api::boards::results_csv, ContestOwner;
    get "/api/v1/rounds/{id}/live" => api::boards::live, ContestOwner;
    get "/api/v1/rounds/{id}/prizes" => api::prizes::get, ContestOwner;
    post "/api/v1/rounds/{id}/prizes" => api::prizes::set, ContestOwner;
    get "/api/v1/rounds/{id}/winners" => api::prizes::winners, Public;
    get "/api/v1/rounds/{id}/prizes/export" => api::reports::winners_export, ContestOwner;
    get "/api/v1/rounds/{id}/stats" => api::reports::stats, ContestOwner;
    get "/api/v1/rounds/{id}/entrants" => api::reports::entrants, ContestOwner;
    get "/api/v1/rounds/{id}/flags" => api::reports::flags, ContestOwner;
    get "/api/v1/rounds/{id}/item-stats" => api::items::round, ContestOwner;
    get "/api/v1/rounds/{id}/item-stats/export" => api::items::round_export, ContestOwner;
    get "/api/v1/attempts/{id}" => api::play::get, AttemptOwner;
    put "/api/v1/attempts/{id}/items/{position}" => api::play::answer, AttemptOwner;
    put "/api/v1/attempts/{id}/prediction" => api::play::prediction, AttemptOwner;
    post "/api/v1/attempts/{id}/submit" => api::play::submit, AttemptOwner;
    post "/api/v1/questions/{bank}/{key}/void" => api::questions::void, BankOwner;
    post "/api/v1/questions/{bank}/{key}/rekey" => api::questions::rekey, BankOwner;
}
