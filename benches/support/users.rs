//! Generated users for benches and tests: realistic Graph `/users` objects, deterministic for a
//! seed. Not part of the library; included with `#[path]` where needed.

use std::io::{self, Write};

/// A small deterministic generator (xorshift64*), so benches and tests need no extra crate.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const GIVEN: &[&str] = &[
    "Megan",
    "Adele",
    "Alex",
    "Lee",
    "Isaiah",
    "Diego",
    "Zoë",
    "Nestor",
    "Pradeep",
    "Johanna",
    "Grady",
    "Henrietta",
    "Irvin",
    "Lidia",
    "Lynne",
    "Miriam",
    "Patti",
    "José",
    "Łukasz",
    "太郎",
];
const SURNAMES: &[&str] = &[
    "Bowen",
    "Vance",
    "Wilber",
    "Gu",
    "Langer",
    "Siciliani",
    "Müller",
    "Wilke",
    "Gupta",
    "Lorentz",
    "Archie",
    "Cannon",
    "Sink",
    "Holloway",
    "Gibbs",
    "Hunter",
    "Fernandez",
    "Nowak",
    "山田",
    "O'Brien",
];
const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Marketing",
    "Engineering",
    "Finance",
    "Legal",
    "HR",
];
const TITLES: &[&str] = &[
    "Sales Manager",
    "Account Executive",
    "Developer",
    "Designer",
    "Accountant",
    "Paralegal",
];
const CITIES: &[(&str, &str, &str, &str)] = &[
    ("Redmond", "WA", "98052", "United States"),
    ("München", "BY", "80331", "Germany"),
    ("Tokyo", "Tokyo", "100-0005", "Japan"),
    ("Paris", "IDF", "75008", "France"),
];

fn guid(rng: &mut Rng) -> String {
    let a = rng.next();
    let b = rng.next();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// Writes `n` Graph-shaped users as JSON Lines, deterministically from `seed`: about 3%
/// disabled, 2% unassigned, 5% without `mail`, non-ASCII names, managers, proxy addresses.
pub fn generate(n: usize, seed: u64, out: &mut dyn Write) -> io::Result<()> {
    generate_users(n, seed, false, out)
}

/// [`generate`], or with `all_enabled` the same users except that every one is enabled and
/// assigned (what `floor-project` of `../shared/bench/floor` is compared on: it writes every user).
pub fn generate_users(
    n: usize,
    seed: u64,
    all_enabled: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut manager = String::new();
    for i in 0..n {
        let id = guid(&mut rng);
        let given = rng.pick(GIVEN);
        let surname = rng.pick(SURNAMES);
        let nick = format!("user{i}");
        let upn = format!("{nick}@contoso.com");
        let enabled = rng.below(100) >= 3 || all_enabled;
        let assigned = rng.below(100) >= 2 || all_enabled;
        let mail = if rng.below(100) < 5 {
            "null".to_string()
        } else {
            serde_json::to_string(&upn).unwrap_or_default()
        };
        let (city, state, postal, country) = CITIES[rng.below(CITIES.len() as u64) as usize];
        let manager_json = if manager.is_empty() {
            "null".to_string()
        } else {
            format!("\"{manager}\"")
        };
        let display = serde_json::to_string(&format!("{given} {surname}")).unwrap_or_default();
        let surname_json = serde_json::to_string(surname).unwrap_or_default();
        write!(
            out,
            concat!(
                "{{\"id\":\"{id}\",\"accountEnabled\":{enabled},\"displayName\":{display},",
                "\"givenName\":\"{given}\",\"surname\":{surname},\"userPrincipalName\":\"{upn}\",",
                "\"mail\":{mail},\"mailNickname\":\"{nick}\",\"jobTitle\":\"{title}\",",
                "\"department\":\"{dept}\",\"companyName\":\"Contoso Ltd.\",",
                "\"employeeId\":\"{emp}\",\"userType\":\"Member\",\"preferredLanguage\":\"en-US\",",
                "\"officeLocation\":\"{office}\",\"streetAddress\":\"{street} Contoso Way\",",
                "\"city\":\"{city}\",\"state\":\"{state}\",\"postalCode\":\"{postal}\",",
                "\"country\":\"{country}\",\"businessPhones\":[\"+1 425 555 {phone:04}\"],",
                "\"mobilePhone\":null,\"proxyAddresses\":[\"SMTP:{upn}\"],\"manager\":{manager}{assigned}}}\n"
            ),
            id = id,
            enabled = enabled,
            display = display,
            given = given,
            surname = surname_json,
            upn = upn,
            mail = mail,
            nick = nick,
            title = rng.pick(TITLES),
            dept = rng.pick(DEPARTMENTS),
            emp = 100_000 + i,
            office = format!("{}/{}", rng.below(40), rng.below(3000)),
            street = rng.below(9000) + 100,
            city = city,
            state = state,
            postal = postal,
            country = country,
            phone = rng.below(10_000),
            manager = manager_json,
            assigned = if assigned { "" } else { ",\"assigned\":false" },
        )?;
        if i % 10 == 0 {
            manager = id;
        }
    }
    Ok(())
}
