//! Unique Thai mobile numbers by construction.
//!
//! A normalised Thai mobile number is 10 digits: a prefix `06`, `08` or `09` and 8 free digits,
//! so the space holds `3 × 10^8` numbers. Number them `x = block × 10^8 + suffix`, where
//! `block` picks the prefix. A member's number is
//!
//! ```text
//! x = (PHONE_STRIDE × index + offset) mod PHONE_SPACE
//! ```
//!
//! with `PHONE_STRIDE` coprime to `PHONE_SPACE` (= 2^8 · 3 · 5^8). Multiplying by a unit of
//! ℤ/Nℤ and adding a constant are both bijections of ℤ/Nℤ, and `x ↦ (block, suffix)` is
//! injective, so distinct indices below `PHONE_SPACE` get distinct phones: no set of used
//! numbers, no retries, and random access stays O(1). The offset comes from the seed, so each
//! shop has its own numbers. The stride is near `0.618 × N`, which scatters neighbouring
//! members over all three prefixes; the last four digits cycle through every value once per
//! 10,000 members, which gives "last 4 digits" lookups realistic collisions.

/// How many members a demo shop can have: one per distinct phone number.
pub const MEMBERS_MAX: u64 = PHONE_SPACE;

/// Size of the phone space: three prefixes times 10^8 suffixes.
const PHONE_SPACE: u64 = 3 * SUFFIX_SPACE;

/// Numbers per prefix: the 8 digits after `06`/`08`/`09`.
const SUFFIX_SPACE: u64 = 100_000_000;

/// Prefix digit of each block (the leading `0` is common to all).
const PREFIX_DIGITS: [u8; 3] = [b'6', b'8', b'9'];

/// Coprime to `PHONE_SPACE` (not divisible by 2, 3 or 5); close to the golden ratio of it.
const PHONE_STRIDE: u64 = 185_410_199;

/// The phone of member `index` in a shop whose phones are shifted by `offset`.
///
/// `index` must be below [`MEMBERS_MAX`] (callers assert it); `offset` may be any value.
pub(crate) fn phone_of(index: u64, offset: u64) -> String {
    debug_assert!(index < PHONE_SPACE);
    // Both factors are below 3 × 10^8, so the product fits in u64 (< 9 × 10^16).
    let x = (PHONE_STRIDE * (index % PHONE_SPACE) + offset % PHONE_SPACE) % PHONE_SPACE;
    let block = (x / SUFFIX_SPACE) as usize;
    let mut suffix = x % SUFFIX_SPACE;

    let mut digits = [b'0'; 10];
    digits[1] = PREFIX_DIGITS[block];
    for slot in digits[2..].iter_mut().rev() {
        *slot = b'0' + (suffix % 10) as u8;
        suffix /= 10;
    }
    digits.iter().map(|&d| char::from(d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn gcd(mut a: u64, mut b: u64) -> u64 {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }

    #[test]
    fn stride_is_a_unit_of_the_phone_space() {
        assert_eq!(gcd(PHONE_STRIDE, PHONE_SPACE), 1);
    }

    #[test]
    fn phones_are_ten_digit_thai_mobiles() {
        for index in [0, 1, 2, 12_345, MEMBERS_MAX - 1] {
            let phone = phone_of(index, 99);
            assert_eq!(phone.len(), 10, "{phone}");
            assert!(phone.bytes().all(|b| b.is_ascii_digit()), "{phone}");
            assert!(["06", "08", "09"].contains(&&phone[..2]), "{phone}");
        }
    }

    #[test]
    fn first_200_000_members_have_distinct_phones() {
        let phones: HashSet<String> = (0..200_000).map(|i| phone_of(i, 7_654_321)).collect();
        assert_eq!(phones.len(), 200_000);
    }

    #[test]
    fn all_three_prefixes_are_used() {
        let prefixes: HashSet<String> = (0..100).map(|i| phone_of(i, 0)[..2].to_owned()).collect();
        assert_eq!(prefixes.len(), 3);
    }

    proptest! {
        #[test]
        fn distinct_indices_anywhere_in_the_space_get_distinct_phones(
            a in 0..MEMBERS_MAX, b in 0..MEMBERS_MAX, offset in any::<u64>()
        ) {
            prop_assume!(a != b);
            prop_assert_ne!(phone_of(a, offset), phone_of(b, offset));
        }
    }
}
