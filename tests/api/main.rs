//! Black-box tests: the real application over HTTP, and the operator
//! commands, against a real SQLite file or PostgreSQL database.

mod accounts;
mod api;
mod authz;
mod bank_files;
mod bank_fuzz;
mod contest;
mod crash;
mod fixes;
mod forms;
mod groups;
mod helpers;
mod items;
mod operator;
mod organize;
mod pages;
mod paper;
mod prediction;
mod prizes;
mod process;
mod property;
mod race;
mod ranking;
mod rekey;
mod rekey_pages;
mod residents;
mod robust;
mod secrecy;
mod share;
mod unit_manager;
mod users_import;
mod users_page;
mod words;
