//! What the benches ask for: real members drawn at random (seeded) from the replica, and the
//! queries a cashier would type for them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, OptionalExtension};

/// Shortest and longest name fragment searched for (the trigram index needs 3 characters).
const NAME_FRAGMENT_CHARS_MIN: usize = 3;
const NAME_FRAGMENT_CHARS_MAX: usize = 5;
/// Draws of a member id before giving up on finding enough members.
const DRAWS_PER_MEMBER_MAX: usize = 4;

/// A member drawn for the benches.
#[derive(Clone, Debug)]
pub struct Member {
    /// Local row id (what the baselines query by).
    pub id: i64,
    /// The 10-digit phone as stored.
    pub phone: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
}

/// A random generator for one bench, derived from the run's seed and the bench's name, so
/// adding a bench does not change the others' choices.
pub fn rng(seed: u64, bench: &str) -> ChaCha8Rng {
    let salt = bench.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    });
    ChaCha8Rng::seed_from_u64(seed ^ salt)
}

/// Draws `count` distinct-ish members uniformly over the member ids (untimed).
pub fn sample_members(conn: &Connection, count: usize, seed: u64) -> anyhow::Result<Vec<Member>> {
    let max_id: i64 =
        conn.query_row("SELECT COALESCE(MAX(id), 0) FROM members", [], |r| r.get(0))?;
    anyhow::ensure!(max_id > 0, "the replica holds no members");
    let mut rng = rng(seed, "members");
    let mut stmt =
        conn.prepare("SELECT id, phone, first_name, last_name FROM members WHERE id = ?1")?;
    let mut members = Vec::with_capacity(count);
    for _ in 0..count * DRAWS_PER_MEMBER_MAX {
        if members.len() == count {
            break;
        }
        let id = rng.random_range(1..=max_id);
        let found = stmt
            .query_row([id], |r| {
                Ok(Member {
                    id: r.get(0)?,
                    phone: r.get(1)?,
                    first_name: r.get(2)?,
                    last_name: r.get(3)?,
                })
            })
            .optional()?;
        members.extend(found);
    }
    anyhow::ensure!(!members.is_empty(), "found no members to query");
    Ok(members)
}

/// A phone as a cashier types it: as stored half the time, grouped `081-234-5678` otherwise.
pub fn typed_phone(phone: &str, rng: &mut impl Rng) -> String {
    if rng.random_bool(0.5) && phone.len() == 10 && phone.is_ascii() {
        format!("{}-{}-{}", &phone[..3], &phone[3..6], &phone[6..])
    } else {
        phone.to_string()
    }
}

/// The last four digits of a stored phone.
pub fn last4(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// A random 3–5 character piece of the member's first or last name (whole characters, no
/// spaces), or `None` when neither name is long enough.
pub fn name_fragment(member: &Member, rng: &mut impl Rng) -> Option<String> {
    let names: Vec<Vec<char>> = [&member.first_name, &member.last_name]
        .iter()
        .flat_map(|n| n.split_whitespace())
        .map(|w| w.chars().collect::<Vec<char>>())
        .filter(|w| w.len() >= NAME_FRAGMENT_CHARS_MIN)
        .collect();
    if names.is_empty() {
        return None;
    }
    let name = &names[rng.random_range(0..names.len())];
    let longest = name.len().min(NAME_FRAGMENT_CHARS_MAX);
    let len = rng.random_range(NAME_FRAGMENT_CHARS_MIN..=longest);
    let start = rng.random_range(0..=name.len() - len);
    Some(name[start..start + len].iter().collect())
}

/// Picks one member of the pool.
pub fn pick<'a>(pool: &'a [Member], rng: &mut impl Rng) -> &'a Member {
    &pool[rng.random_range(0..pool.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(first: &str, last: &str) -> Member {
        Member {
            id: 1,
            phone: "0812345678".into(),
            first_name: first.into(),
            last_name: last.into(),
        }
    }

    #[test]
    fn name_fragments_are_whole_characters_of_a_name() {
        let m = member("สมชาย", "ใจดีมาก");
        let mut rng = rng(1, "t");
        for _ in 0..200 {
            let f = name_fragment(&m, &mut rng).unwrap();
            let n = f.chars().count();
            assert!((3..=5).contains(&n), "{f}");
            assert!(m.first_name.contains(&f) || m.last_name.contains(&f), "{f}");
        }
    }

    #[test]
    fn short_names_give_no_fragment() {
        assert_eq!(name_fragment(&member("Al", "Bo"), &mut rng(1, "t")), None);
    }

    #[test]
    fn typed_phones_are_stored_or_grouped() {
        let mut rng = rng(2, "t");
        let forms: std::collections::BTreeSet<String> = (0..50)
            .map(|_| typed_phone("0812345678", &mut rng))
            .collect();
        let expected: std::collections::BTreeSet<String> =
            ["0812345678".to_string(), "081-234-5678".to_string()].into();
        assert_eq!(forms, expected);
        assert_eq!(last4("0812345678"), "5678");
    }
}
