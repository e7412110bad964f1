//! Users input: Graph's `/users` response (`{"value": [...]}`), a JSON array, JSON Lines, or YAML.
//!
//! JSON Lines and JSON arrays (top-level, or the `value` array of a multi-line Graph response)
//! are streamed: one user is held in memory at a time, so memory stays flat however large the
//! file is. A line or array element that is not a valid user is reported with its position and
//! the rest is read. YAML is read whole.
//!
//! Graph property names are translated to the names the provisioning service uses as mapping
//! sources: `id` → `objectId`, `businessPhones[0]` → `telephoneNumber`, `mobilePhone` →
//! `mobile`, `faxNumber` → `facsimileTelephoneNumber`, `officeLocation` →
//! `physicalDeliveryOfficeName`; `onPremisesExtensionAttributes` and `employeeOrgData` are
//! flattened (`extensionAttribute1`, `employeeOrgData.costCenter`); `manager` is the manager's id
//! (a string, or Graph's `$expand=manager` object). `assigned`, `deletedDateTime` and
//! `IsSoftDeleted` are read as flags for the soft-delete derivation.

mod decode;
mod fast;
mod input;
mod reader;
mod record;
mod scanner;

pub use decode::RecordSeed;
pub use reader::{InputError, Item, LINES_BLOCK, Parser, Position, RawUser, UserReader};
pub use record::{Pool, UserRecord, name_hash, provisioning_name};

/// A user (or a line / element) larger than this is reported and skipped, so that memory stays
/// bounded.
pub const MAX_USER_BYTES: usize = 8 * 1024 * 1024;
/// YAML input is read whole; larger files are refused (use JSON Lines).
pub const MAX_YAML_BYTES: usize = 256 * 1024 * 1024;

/// The bench generator, so that a test checks its users read back.
#[cfg(test)]
#[path = "../../../benches/support/users.rs"]
mod generated;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Value;
    use generated::generate;
    use std::io;

    fn read(text: &str) -> Vec<Result<(Position, UserRecord), InputError>> {
        UserReader::from_text(text).collect()
    }

    #[test]
    fn graph_names_are_translated() {
        let users = read(
            r#"{"id":"1","businessPhones":["+1 2","+1 3"],"mobilePhone":"m","officeLocation":"o","faxNumber":null,"manager":{"id":"9"},"onPremisesExtensionAttributes":{"extensionAttribute1":"x","extensionAttribute2":null},"assigned":false,"accountEnabled":true}"#,
        );
        let (_, u) = users[0].clone().unwrap();
        assert_eq!(u.value("objectId"), Some(&Value::Str("1".into())));
        assert_eq!(u.value("telephoneNumber"), Some(&Value::Str("+1 2".into())));
        assert_eq!(u.value("mobile"), Some(&Value::Str("m".into())));
        assert_eq!(
            u.value("physicalDeliveryOfficeName"),
            Some(&Value::Str("o".into()))
        );
        assert_eq!(u.value("facsimileTelephoneNumber"), None);
        assert_eq!(u.value("manager"), Some(&Value::Str("9".into())));
        assert_eq!(
            u.value("extensionAttribute1"),
            Some(&Value::Str("x".into()))
        );
        assert_eq!(u.assigned, Some(false));
        assert_eq!(u.account_enabled, Some(true));
    }

    #[test]
    fn formats_are_detected() {
        let jsonl = "{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n";
        let array = "[{\"id\":\"a\"},\n {\"id\":\"b\"}]";
        let graph = "{\n \"@odata.context\": \"x\",\n \"value\": [{\"id\":\"a\"}, {\"id\":\"b\"}],\n \"@odata.nextLink\": \"y\"\n}";
        let graph_line = "{\"value\": [{\"id\":\"a\"}, {\"id\":\"b\"}]}";
        let yaml = "- id: a\n  displayName: Y\n  employeeId: 007\n- id: b\n";
        for text in [jsonl, array, graph, graph_line, yaml] {
            let ids: Vec<String> = read(text)
                .into_iter()
                .map(|r| r.unwrap().1.id().unwrap().into_owned())
                .collect();
            assert_eq!(ids, ["a", "b"], "{text}");
        }
        let single = "{\n \"id\": \"a\",\n \"mail\": \"a@x\"\n}";
        let users = read(single);
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].as_ref().unwrap().0, Position::Document);
    }

    #[test]
    fn yaml_keeps_text_that_yaml_1_1_would_read_as_booleans_or_octal() {
        let users = read(
            "- id: a\n  displayName: Y\n  country: NO\n  employeeId: 007\n  accountEnabled: true\n",
        );
        let (_, u) = users[0].clone().unwrap();
        assert_eq!(u.value("displayName"), Some(&Value::Str("Y".into())));
        assert_eq!(u.value("country"), Some(&Value::Str("NO".into())));
        assert_eq!(u.value("employeeId"), Some(&Value::Str("007".into())));
        assert_eq!(u.account_enabled, Some(true));
    }

    #[test]
    fn broken_elements_are_reported_and_skipped() {
        let users = read("[{\"id\":\"a\"}, {\"id\": }, 3, {\"id\":\"c\"}]");
        assert_eq!(users.len(), 4);
        assert!(users[0].is_ok());
        let e = users[1].as_ref().unwrap_err();
        assert_eq!(
            e.position,
            Some(Position::Element {
                index: 2,
                offset: 13
            })
        );
        assert!(!e.fatal);
        assert!(users[2].is_err());
        assert!(users[3].is_ok());
        let users = read("[{\"id\":\"a\"}, {\"id\": \"b]");
        assert!(users.last().unwrap().as_ref().unwrap_err().fatal);
    }

    #[test]
    fn generated_users_read_back() {
        let mut out = Vec::new();
        generate(50, 7, &mut out).unwrap();
        let users = UserReader::new(io::Cursor::new(out));
        let users: Vec<_> = users.collect();
        assert_eq!(users.len(), 50);
        assert!(users.iter().all(Result::is_ok));
    }

    fn ids(users: &[Item]) -> Vec<String> {
        users
            .iter()
            .filter_map(|u| u.as_ref().ok())
            .map(|(_, u)| u.id().unwrap_or_default().into_owned())
            .collect()
    }

    #[test]
    fn a_one_line_graph_page_is_read_user_by_user() {
        // As Graph returns it: one line. A broken user costs only that user.
        let page = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[{"id":"a"},{"id": },{"id":"c"}]}"#;
        let users = read(page);
        assert_eq!(ids(&users), ["a", "c"]);
        let e = users[1].as_ref().unwrap_err();
        assert_eq!(
            e.position,
            Some(Position::LineElement { line: 1, index: 2 })
        );
        assert!(!e.fatal);
    }

    #[test]
    fn json_lines_of_pages_and_users_keep_their_lines() {
        let text = concat!(
            r#"{"value":[{"id":"a"},{"id":"b"}]}"#,
            "\n",
            r#"{"id":"c"}"#,
            "\n",
            r#"{"@odata.context":"x","value":[{"id":"d"}]}"#,
            "\n",
            r#"{"id":"e"}"#,
            "\n"
        );
        let users = read(text);
        assert_eq!(ids(&users), ["a", "b", "c", "d", "e"]);
        let positions: Vec<Position> = users.iter().map(|u| u.as_ref().unwrap().0).collect();
        assert_eq!(
            positions,
            [
                Position::LineElement { line: 1, index: 1 },
                Position::LineElement { line: 1, index: 2 },
                Position::Line(2),
                Position::LineElement { line: 3, index: 1 },
                Position::Line(4),
            ]
        );
    }

    #[test]
    fn a_one_line_page_larger_than_a_user_may_be_is_streamed() {
        // Over MAX_USER_BYTES on one line: every user is still read.
        let user = format!(r#"{{"id":"u","displayName":"{}"}}"#, "x".repeat(1000));
        let n = MAX_USER_BYTES / user.len() + 100;
        let page = format!(r#"{{"value":[{}]}}"#, vec![user; n].join(","));
        assert!(page.len() > MAX_USER_BYTES);
        let users = read(&page);
        assert_eq!(users.len(), n);
        assert!(users.iter().all(Result::is_ok));
    }

    #[test]
    fn a_single_user_from_get_user_by_id_is_one_user() {
        let users = read(
            r#"{"@odata.context":"x/$metadata#users/$entity","id":"z","accountEnabled":true}"#,
        );
        assert_eq!(ids(&users), ["z"]);
    }

    /// A source that gives its bytes in reads of varying length (as a pipe does), and can fail
    /// once all of them are given.
    struct Uneven {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
        /// How many reads fail once every byte is given (then the end).
        failures: usize,
    }

    impl io::Read for Uneven {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.at == self.bytes.len() {
                if self.failures == 0 {
                    return Ok(0);
                }
                self.failures -= 1;
                return Err(io::Error::other("the disk went away"));
            }
            // Lengths cycle through small, odd and large (up to a whole block).
            self.step = (self.step * 7 + 13) % 97;
            let want = match self.step % 4 {
                0 => 1 + self.step,
                1 => 4096 + self.step,
                2 => 70_000,
                _ => 65_536,
            };
            let n = want.min(out.len()).min(self.bytes.len() - self.at);
            out[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// The users of a reader as `next_raw` cuts them one by one, or as the parallel reader
    /// does (`next_lines` a block at a time into a buffer kept at its full length, `next_raw`
    /// when it declines): position, line, and each user's bytes or ready item.
    fn cut(mut reader: UserReader, blocks: bool) -> Vec<(String, u64, Vec<u8>)> {
        let mut out = Vec::new();
        let mut data = Vec::new();
        let mut used = 0;
        loop {
            let mut users = Vec::new();
            if blocks && reader.reads_lines() {
                if data.len() < used + LINES_BLOCK {
                    data.resize(used + LINES_BLOCK, 0);
                }
                reader.next_lines(&mut data, &mut used, &mut users, 5);
            }
            if users.is_empty() {
                data.truncate(used);
                match reader.next_raw(&mut data) {
                    None => break,
                    Some(raw) => users.push(raw),
                }
                used = data.len();
            }
            for raw in users {
                out.push(match raw {
                    RawUser::Bytes {
                        position,
                        line,
                        range,
                    } => (position.to_string(), line, data[range].to_vec()),
                    RawUser::Ready(item) => (format!("{:?}", item.map(|(p, _)| p)), 0, Vec::new()),
                });
            }
        }
        out
    }

    #[test]
    fn lines_read_a_block_at_a_time_are_the_lines_read_one_by_one() {
        let mut users = Vec::new();
        generate(400, 3, &mut users).unwrap();
        let mut text = Vec::new();
        for (i, line) in users.split_inclusive(|&b| b == b'\n').enumerate() {
            text.extend_from_slice(line);
            match i % 50 {
                // Blank lines, CRLF, short users (under the page-detecting prefix).
                1 => text.extend_from_slice(b"\n  \r\n\t\n"),
                2 => text.extend_from_slice(b"{\"id\":\"s\"}\r\n{}\n"),
                // A user a little under, at and over a block.
                3 => {
                    for len in [LINES_BLOCK - 300, LINES_BLOCK - 20, LINES_BLOCK + 5_000] {
                        let pad = "x".repeat(len);
                        text.extend_from_slice(format!("{{\"id\":\"{pad}\"}}\n").as_bytes());
                    }
                }
                // Graph pages on one line and over several, and a broken line.
                4 => text.extend_from_slice(b"{\"value\":[{\"id\":\"p\"},{\"id\":\"q\"}]}\n"),
                5 => text.extend_from_slice(b"{\n \"value\": [{\"id\": \"r\"}]}\n"),
                6 => text.extend_from_slice(b"{\"id\": broken\n"),
                _ => {}
            }
        }
        // The last line without a break.
        text.extend_from_slice(b"{\"id\":\"last\"}");
        // No error, an error that stays, and one that a second read no longer meets.
        for failures in [0, usize::MAX, 1] {
            let fail = failures > 0;
            let source = || Uneven {
                bytes: text.clone(),
                at: 0,
                step: 1,
                failures,
            };
            let one_by_one = cut(UserReader::new(source()), false);
            let by_blocks = cut(UserReader::new(source()), true);
            assert!(one_by_one.len() > 400 + 8 * 6, "{}", one_by_one.len());
            assert_eq!(one_by_one.len(), by_blocks.len());
            for (a, b) in one_by_one.iter().zip(&by_blocks) {
                assert_eq!(a, b);
            }
            let last = &one_by_one[one_by_one.len() - 1];
            if fail {
                assert!(last.0.contains("the disk went away"), "{last:?}");
            } else {
                assert_eq!(last.2, b"{\"id\":\"last\"}");
            }
        }
    }
}
