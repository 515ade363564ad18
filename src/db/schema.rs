//! The tables, one `schema.rs` for both backends (see `migrations/sqlite` and
//! `migrations/postgres`, which must stay in step with this file).

diesel::table! {
    units (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        kind -> Text,
        parent_id -> Nullable<BigInt>,
        staff_count -> Integer,
        population -> Nullable<Integer>,
        kind_label -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        full_name -> Text,
        role -> Text,
        unit_id -> Nullable<BigInt>,
        disabled -> Bool,
        session_epoch -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        search_key -> Text,
    }
}

diesel::table! {
    banks (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        topic -> Text,
        replaced_documents -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        owner_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    questions (id) {
        id -> BigInt,
        bank_id -> BigInt,
        key -> Text,
        version -> Integer,
        state -> Text,
        kind -> Text,
        difficulty -> Text,
        text -> Text,
        options -> Text,
        answer -> Text,
        explanation -> Text,
        source -> Text,
        fixed_order -> Bool,
        as_of -> Nullable<Date>,
        voided -> Bool,
        content_hash -> Text,
        created_at -> Timestamp,
        exclusion_group -> Nullable<Text>,
    }
}

diesel::table! {
    contests (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        description -> Text,
        rules -> Text,
        audience -> Text,
        status -> Text,
        show_names -> Bool,
        owner_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        requires_id_number -> Bool,
        min_age -> Nullable<Integer>,
        unit_kinds -> Text,
        purged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rounds (id) {
        id -> BigInt,
        contest_id -> BigInt,
        number -> Integer,
        title -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        duration_s -> Integer,
        blueprint -> Text,
        attempts_allowed -> Integer,
        grace_s -> Integer,
        points_per_question -> Integer,
        prediction -> Bool,
        reveal_policy -> Text,
        practice -> Bool,
        status -> Text,
        finalized_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        pool_version -> Integer,
    }
}

diesel::table! {
    participants (id) {
        id -> BigInt,
        contest_id -> BigInt,
        user_id -> Nullable<BigInt>,
        code -> Nullable<Text>,
        full_name -> Text,
        birth_year -> Nullable<Integer>,
        phone -> Nullable<Text>,
        id_number_hmac -> Nullable<Text>,
        id_last4 -> Nullable<Text>,
        unit_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        device_id -> Nullable<Text>,
        consented_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attempts (id) {
        id -> BigInt,
        round_id -> BigInt,
        participant_id -> BigInt,
        number -> Integer,
        ranked -> Bool,
        seed -> BigInt,
        state -> Text,
        started_at -> Timestamp,
        deadline_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        score -> Integer,
        max_score -> Integer,
        correct -> Integer,
        duration_ms -> Nullable<BigInt>,
        prediction -> Nullable<BigInt>,
        draw_version -> Integer,
        excluded -> Text,
    }
}

diesel::table! {
    attempt_items (attempt_id, position) {
        attempt_id -> BigInt,
        position -> Integer,
        question_id -> BigInt,
        option_order -> Text,
        choices -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    round_entries (round_id, participant_id) {
        round_id -> BigInt,
        participant_id -> BigInt,
        best_attempt_id -> BigInt,
        unit_id -> Nullable<BigInt>,
        score -> Integer,
        correct -> Integer,
        full_marks -> Bool,
        prediction -> Nullable<BigInt>,
        prediction_error -> BigInt,
        duration_ms -> BigInt,
        submitted_at -> Timestamp,
        max_score -> Integer,
        rank_key -> Text,
    }
}

diesel::table! {
    contest_entries (contest_id, participant_id) {
        contest_id -> BigInt,
        participant_id -> BigInt,
        unit_id -> Nullable<BigInt>,
        rounds -> Integer,
        score -> BigInt,
        prediction_gaps -> Integer,
        prediction_error -> BigInt,
        duration_ms -> BigInt,
        last_submitted_at -> Timestamp,
        rank_key -> Text,
    }
}

diesel::table! {
    question_fixes (contest_id, question_id) {
        contest_id -> BigInt,
        question_id -> BigInt,
        voided -> Bool,
        answer -> Nullable<Text>,
        reason -> Text,
        actor -> Text,
        at -> Timestamp,
        explanation -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    health_checks (id) {
        id -> BigInt,
        checked_at -> Timestamp,
    }
}

diesel::table! {
    round_pool (round_id, question_id) {
        round_id -> BigInt,
        row_index -> Integer,
        question_id -> BigInt,
    }
}

diesel::table! {
    unit_round_stats (round_id, unit_id) {
        round_id -> BigInt,
        unit_id -> BigInt,
        participants -> Integer,
        attempts -> Integer,
        score_sum -> BigInt,
        full_marks -> Integer,
    }
}

diesel::table! {
    round_prizes (round_id) {
        round_id -> BigInt,
        plan -> Text,
        published -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor -> Text,
        action -> Text,
        subject -> Text,
        detail -> Text,
    }
}

diesel::table! {
    password_sheets (id) {
        id -> BigInt,
        created_by -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accounts -> Integer,
        sealed -> Nullable<Text>,
        downloaded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    item_results (attempt_id, position) {
        attempt_id -> BigInt,
        position -> Integer,
        round_id -> BigInt,
        question_id -> BigInt,
        correct -> Integer,
        chosen -> Integer,
        rest -> Double,
    }
}

diesel::joinable!(users -> units (unit_id));
diesel::table! {
    score_changes (id) {
        id -> BigInt,
        attempt_id -> BigInt,
        question_id -> BigInt,
        voided -> Bool,
        old_score -> Integer,
        old_max_score -> Integer,
        new_score -> Integer,
        new_max_score -> Integer,
        reason -> Text,
        at -> Timestamp,
    }
}

diesel::joinable!(password_sheets -> users (created_by));
diesel::joinable!(questions -> banks (bank_id));
diesel::joinable!(rounds -> contests (contest_id));
diesel::joinable!(participants -> contests (contest_id));
diesel::joinable!(attempts -> rounds (round_id));
diesel::joinable!(attempts -> participants (participant_id));
diesel::joinable!(attempt_items -> attempts (attempt_id));
diesel::joinable!(attempt_items -> questions (question_id));
diesel::joinable!(round_pool -> questions (question_id));
diesel::joinable!(round_entries -> participants (participant_id));
diesel::joinable!(round_entries -> rounds (round_id));
diesel::joinable!(round_pool -> rounds (round_id));
diesel::joinable!(contest_entries -> participants (participant_id));
diesel::joinable!(contest_entries -> contests (contest_id));
diesel::joinable!(question_fixes -> questions (question_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(round_prizes -> rounds (round_id));
diesel::joinable!(score_changes -> attempts (attempt_id));
diesel::joinable!(score_changes -> questions (question_id));
diesel::joinable!(item_results -> questions (question_id));
diesel::joinable!(item_results -> rounds (round_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    users,
    banks,
    questions,
    contests,
    rounds,
    participants,
    attempts,
    attempt_items,
    round_entries,
    round_pool,
    unit_round_stats,
    audit_log,
    contest_entries,
    question_fixes,
    sessions,
    health_checks,
    round_prizes,
    password_sheets,
    score_changes,
    item_results,
);
