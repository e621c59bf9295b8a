//! Structured tools: the self-assessment and training quizzes, defined as TOML data next to
//! their pages, validated across languages and rendered to HTML plus a JSON data block that the
//! theme's scripts bring to life.
