//! accord-store
