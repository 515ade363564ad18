//! The audit log as people read it: every action code the log stores
//! (`user.create`, `round.publish`…) with its label in Vietnamese, and its
//! subject (`user:annv`, `round:5`) in words. The codes stay what is
//! stored and searched; only the page shows the words.

use super::people::Role;

/// An action the audit log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    /// An account was created.
    UserCreate,
    /// An account's name, email or phone changed.
    UserUpdate,
    /// An account moved to another unit.
    UserMove,
    /// An account was locked.
    UserDisable,
    /// An account was unlocked.
    UserEnable,
    /// Someone changed their own password.
    UserPasswordChange,
    /// An admin gave an account a new password.
    UserPasswordReset,
    /// Accounts were imported from a file.
    UsersImport,
    /// Units were imported from a file.
    UnitsImport,
    /// A bank was imported (its file is the whole bank).
    BankImport,
    /// A bank was imported in merge mode (adds and updates only).
    BankMerge,
    /// A contest was created.
    ContestCreate,
    /// A contest's settings changed.
    ContestUpdate,
    /// Residents' personal data was purged.
    ContestPurge,
    /// A round was created (or copied).
    RoundCreate,
    /// A round's settings changed.
    RoundUpdate,
    /// A round was published.
    RoundPublish,
    /// A round was closed early.
    RoundClose,
    /// A prize plan was saved.
    PrizesSave,
    /// A prize list was published.
    PrizesPublish,
    /// A published prize list was withdrawn.
    PrizesWithdraw,
    /// An entrant was excluded from the prizes.
    PrizesExclude,
    /// An excluded entrant was taken back.
    PrizesInclude,
    /// A resident got a new participant code.
    ParticipantCode,
    /// A question was voided for every contest.
    QuestionVoid,
    /// A question's key was corrected for every contest.
    QuestionRekey,
    /// A question was voided inside one contest.
    ContestQuestionVoid,
    /// A question's key was corrected inside one contest.
    ContestQuestionRekey,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 28] = [
        Self::UserCreate,
        Self::UserUpdate,
        Self::UserMove,
        Self::UserDisable,
        Self::UserEnable,
        Self::UserPasswordChange,
        Self::UserPasswordReset,
        Self::UsersImport,
        Self::UnitsImport,
        Self::BankImport,
        Self::BankMerge,
        Self::ContestCreate,
        Self::ContestUpdate,
        Self::ContestPurge,
        Self::RoundCreate,
        Self::RoundUpdate,
        Self::RoundPublish,
        Self::RoundClose,
        Self::PrizesSave,
        Self::PrizesPublish,
        Self::PrizesWithdraw,
        Self::PrizesExclude,
        Self::PrizesInclude,
        Self::ParticipantCode,
        Self::QuestionVoid,
        Self::QuestionRekey,
        Self::ContestQuestionVoid,
        Self::ContestQuestionRekey,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::UserCreate => "user.create",
            Self::UserUpdate => "user.update",
            Self::UserMove => "user.move",
            Self::UserDisable => "user.disable",
            Self::UserEnable => "user.enable",
            Self::UserPasswordChange => "user.password_change",
            Self::UserPasswordReset => "user.password_reset",
            Self::UsersImport => "users.import",
            Self::UnitsImport => "units.import",
            Self::BankImport => "bank.import",
            Self::BankMerge => "bank.merge",
            Self::ContestCreate => "contest.create",
            Self::ContestUpdate => "contest.update",
            Self::ContestPurge => "contest.purge",
            Self::RoundCreate => "round.create",
            Self::RoundUpdate => "round.update",
            Self::RoundPublish => "round.publish",
            Self::RoundClose => "round.close",
            Self::PrizesSave => "prizes.save",
            Self::PrizesPublish => "prizes.publish",
            Self::PrizesWithdraw => "prizes.withdraw",
            Self::PrizesExclude => "prizes.exclude",
            Self::PrizesInclude => "prizes.include",
            Self::ParticipantCode => "participant.code",
            Self::QuestionVoid => "question.void",
            Self::QuestionRekey => "question.rekey",
            Self::ContestQuestionVoid => "contest.question.void",
            Self::ContestQuestionRekey => "contest.question.rekey",
        }
    }

    /// The action of a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// What was done, as a sentence without its subject.
    pub fn label(self) -> &'static str {
        match self {
            Self::UserCreate => "Tạo tài khoản",
            Self::UserUpdate => "Sửa thông tin tài khoản",
            Self::UserMove => "Chuyển tài khoản sang đơn vị khác",
            Self::UserDisable => "Khóa tài khoản",
            Self::UserEnable => "Mở khóa tài khoản",
            Self::UserPasswordChange => "Tự đổi mật khẩu",
            Self::UserPasswordReset => "Cấp mật khẩu mới",
            Self::UsersImport => "Nhập danh sách tài khoản từ tệp",
            Self::UnitsImport => "Nhập danh sách đơn vị từ tệp",
            Self::BankImport => "Nhập ngân hàng câu hỏi (thay cả ngân hàng)",
            Self::BankMerge => "Nhập thêm câu hỏi vào ngân hàng (chỉ thêm và sửa)",
            Self::ContestCreate => "Tạo cuộc thi",
            Self::ContestUpdate => "Sửa cài đặt cuộc thi",
            Self::ContestPurge => "Xóa dữ liệu cá nhân của người dân",
            Self::RoundCreate => "Tạo vòng thi",
            Self::RoundUpdate => "Sửa vòng thi",
            Self::RoundPublish => "Công bố vòng thi",
            Self::RoundClose => "Đóng vòng thi sớm",
            Self::PrizesSave => "Lưu cơ cấu giải",
            Self::PrizesPublish => "Công bố danh sách đoạt giải",
            Self::PrizesWithdraw => "Rút lại danh sách đoạt giải",
            Self::PrizesExclude => "Loại một người khỏi xét giải",
            Self::PrizesInclude => "Đưa một người trở lại xét giải",
            Self::ParticipantCode => "Cấp lại mã dự thi",
            Self::QuestionVoid => "Hủy câu hỏi ở mọi cuộc thi",
            Self::QuestionRekey => "Sửa đáp án ở mọi cuộc thi",
            Self::ContestQuestionVoid => "Hủy câu hỏi trong một cuộc thi",
            Self::ContestQuestionRekey => "Sửa đáp án trong một cuộc thi",
        }
    }
}

/// A stored action code in words; a code this build does not know (from a
/// newer version) reads as a generic action.
pub fn action_label(code: &str) -> &'static str {
    AuditAction::parse(code).map_or("Thao tác khác", AuditAction::label)
}

/// Who acted, in words: the operator's command line is not an account.
pub fn actor_label(actor: &str) -> String {
    if actor == "cli" { "Người vận hành (dòng lệnh)".into() } else { actor.to_string() }
}

/// A stored subject in words: `user:annv` → "tài khoản annv", `round:5` →
/// "vòng thi số hiệu 5", `contest:3 question:12#mc-065` → "cuộc thi số
/// hiệu 3, câu mc-065"; anything else (a file name) as it is.
pub fn subject_label(subject: &str) -> String {
    if subject == "units" {
        return "danh sách đơn vị".into();
    }
    let parts: Vec<String> = subject
        .split_whitespace()
        .map(|part| match part.split_once(':') {
            Some(("user", v)) => format!("tài khoản {v}"),
            Some(("round", v)) => format!("vòng thi số hiệu {v}"),
            Some(("contest", v)) if v.bytes().all(|b| b.is_ascii_digit()) => format!("cuộc thi số hiệu {v}"),
            Some(("contest", v)) => format!("cuộc thi {v}"),
            Some(("bank", v)) => format!("ngân hàng câu hỏi {v}"),
            Some(("question", v)) => format!("câu {}", v.split_once('#').map_or(v, |(_, key)| key)),
            Some(("participant", v)) => format!("người dự thi số hiệu {v}"),
            _ => part.to_string(),
        })
        .collect();
    parts.join(", ")
}

/// A stored detail in words. Entries written before details were worded
/// hold a role code (`user.create`) or `participant N` (prizes): those
/// read in Vietnamese too; every other detail is already written in words.
pub fn detail_label(code: &str, detail: &str) -> String {
    match AuditAction::parse(code) {
        Some(AuditAction::UserCreate) => {
            Role::parse(detail).map_or_else(|| detail.to_string(), |r| r.label().to_string())
        }
        Some(AuditAction::PrizesExclude | AuditAction::PrizesInclude) => match detail.strip_prefix("participant ") {
            Some(rest) => format!("người dự thi số hiệu {rest}"),
            None => detail.to_string(),
        },
        _ => detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_and_has_a_label() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.code()), Some(a));
            assert!(!a.label().is_empty() && !a.label().contains('.'), "{a:?}");
        }
        assert_eq!(action_label("user.create"), "Tạo tài khoản");
        assert_eq!(action_label("something.new"), "Thao tác khác");
    }

    #[test]
    fn subjects_and_old_details_read_as_words() {
        assert_eq!(subject_label("user:annv"), "tài khoản annv");
        assert_eq!(subject_label("contest:3 question:12#mc-065"), "cuộc thi số hiệu 3, câu mc-065");
        assert_eq!(subject_label("contest:chu participant:7"), "cuộc thi chu, người dự thi số hiệu 7");
        assert_eq!(subject_label("units"), "danh sách đơn vị");
        assert_eq!(subject_label("can-bo.csv"), "can-bo.csv");
        assert_eq!(detail_label("user.create", "unit_manager"), "Cán bộ đầu mối đơn vị");
        assert_eq!(detail_label("prizes.include", "participant 4"), "người dự thi số hiệu 4");
        assert_eq!(detail_label("round.create", "Tuần 1"), "Tuần 1");
        assert_eq!(actor_label("cli"), "Người vận hành (dòng lệnh)");
    }
}
