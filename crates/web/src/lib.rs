//! accord-web
