//! accord-analytics
