//! One integration test binary (fewer link steps): a module per feature, over fixture sites.

mod support;

mod browser;
mod build;
mod cli;
mod content;
mod fuzz;
mod hostile;
mod i18n;
mod invalid;
mod reader;
mod search;
mod serve;
mod tools;
