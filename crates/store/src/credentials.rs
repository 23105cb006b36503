//! How secrets are kept: passphrases as Argon2id hashes, session and API tokens and reset
//! codes as SHA-256 digests of long random values (they are already high-entropy, so a fast
//! hash is enough and lets a token be looked up by its digest).

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Hashes a passphrase with Argon2id and a random salt (the crate's defaults follow the OWASP
/// recommendation: 19 MiB, two passes).
pub fn hash_passphrase(passphrase: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(passphrase.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Hashing only fails for parameters or salts out of range, which the defaults are not.
        .expect("Argon2id with default parameters hashes any input")
}

/// Whether a passphrase matches a stored hash. A malformed hash never matches.
pub fn verify_passphrase(hash: &str, passphrase: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(passphrase.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the same effort as a real check, for sign-ins to unknown accounts: the response
/// time must not reveal whether an email address has an account.
pub fn verify_nothing(passphrase: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash =
        DUMMY.get_or_init(|| hash_passphrase("an unguessable stand-in for a missing account"));
    let _ = verify_passphrase(hash, passphrase);
}

/// A new random secret with a readable prefix (e.g. `accord_pat_…` for API tokens), and the
/// digest to store.
pub fn new_secret(prefix: &str) -> (String, String) {
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let digest = secret_digest(&secret);
    (secret, digest)
}

/// The digest under which a secret is stored and looked up.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A random passphrase for a new account or the demo users: five groups of four letters and
/// digits (about 100 bits), easy to read aloud and to type.
pub fn generate_passphrase() -> String {
    // No 0/o, 1/l/i: nothing to misread.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0_u8; 20];
    OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrases_verify_only_against_their_hash() {
        let hash = hash_passphrase("correct horse battery staple");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_passphrase(&hash, "correct horse battery staple"));
        assert!(!verify_passphrase(&hash, "correct horse battery stapler"));
        assert!(!verify_passphrase("not a hash", "anything"));
        assert_ne!(
            hash,
            hash_passphrase("correct horse battery staple"),
            "salted"
        );
    }

    #[test]
    fn generated_passphrases_are_long_enough() {
        let p = generate_passphrase();
        assert_eq!(p.len(), 24);
        assert!(accord_domain::access::check_passphrase("p", &p, "x@y.uk").is_ok());
        assert_ne!(p, generate_passphrase());
    }

    #[test]
    fn secrets_are_random_and_digested() {
        let (a, digest) = new_secret("accord_pat_");
        let (b, _) = new_secret("accord_pat_");
        assert!(a.starts_with("accord_pat_") && a.len() > 50);
        assert_ne!(a, b);
        assert_eq!(secret_digest(&a), digest);
        assert_eq!(digest.len(), 64);
    }
}
