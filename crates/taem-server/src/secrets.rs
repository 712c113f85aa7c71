//! Secrets: device tokens (random, stored as SHA-256 — they carry 256 bits of entropy, so a
//! fast hash is enough), one-time enrolment codes (stored as SHA-256, short-lived, single
//! use), and staff PINs (argon2id: a PIN is short, so its hash must be slow).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Characters of enrolment codes: Crockford base32 (no I, L, O, U: nothing to misread).
const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in an enrolment code (60 bits), printed in groups of four.
const CODE_CHARS: usize = 12;

/// A new device token: `<shop id>.<64 hex characters>`. The shop part routes the look-up to
/// the shop's rows (every key starts with the shop), the secret part is 256 random bits.
pub fn new_token(shop: uuid::Uuid) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{}.{}", shop.simple(), hex::encode(bytes))
}

/// The shop a token names, and the token's hash; `None` for a malformed token.
pub fn split_token(token: &str) -> Option<(uuid::Uuid, Vec<u8>)> {
    let (shop, secret) = token.trim().split_once('.')?;
    let shop = uuid::Uuid::parse_str(shop).ok()?;
    (secret.len() == 64).then(|| (shop, hash(token.trim())))
}

/// SHA-256 of a token or a normalised enrolment code.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A new enrolment code, `ABCD-EFGH-JKMN`.
pub fn new_enrol_code() -> String {
    let mut rng = rand::rng();
    let chars: String = (0..CODE_CHARS)
        .map(|_| CODE_ALPHABET[(rng.next_u32() % CODE_ALPHABET.len() as u32) as usize] as char)
        .collect();
    format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
}

/// The form of a typed enrolment code that is hashed: upper case, no dashes or spaces,
/// and the look-alikes people type (O → 0, I/L → 1).
pub fn normalise_enrol_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// Checks a PIN's shape: 4 to 12 digits.
pub fn check_pin(pin: &str) -> Result<(), String> {
    let pin = pin.trim();
    if (4..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err("a PIN is 4 to 12 digits (0-9)".into())
    }
}

/// The argon2id hash of a PIN (PHC string).
pub fn hash_pin(pin: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(pin.trim().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `pin` matches the stored hash.
pub fn verify_pin(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            argon2::Argon2::default()
                .verify_password(pin.trim().as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrol_codes_survive_how_people_type_them() {
        let code = new_enrol_code();
        assert_eq!(code.len(), 14);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalise_enrol_code(&typed), normalise_enrol_code(&code));
        assert_eq!(normalise_enrol_code("abcd-eflo"), "ABCDEF10");
    }

    #[test]
    fn tokens_name_their_shop_and_malformed_ones_are_refused() {
        let shop = uuid::Uuid::now_v7();
        let token = new_token(shop);
        let (found, hash_of) = split_token(&token).unwrap();
        assert_eq!(found, shop);
        assert_eq!(hash_of, hash(&token));
        assert_ne!(new_token(shop), token);
        assert!(split_token("no-dot").is_none());
        assert!(split_token(&format!("{}.short", shop.simple())).is_none());
        assert!(split_token(&format!("not-a-uuid.{}", "a".repeat(64))).is_none());
    }

    #[test]
    fn pins_hash_and_verify() {
        let stored = hash_pin("4321").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_pin("4321", &stored));
        assert!(!verify_pin("1234", &stored));
        assert!(check_pin("12a4").is_err());
        assert!(check_pin("123").is_err());
    }
}
