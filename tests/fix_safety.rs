//! `--fix` never loses what the user owns: it keeps the file's permissions, owner, byte-order
//! mark, line endings and symbolic links; on any failure the file is byte-for-byte unchanged;
//! it never writes a file that no longer loads.

#![cfg(unix)]

use assert_cmd::Command;
use entramap::lint::{self, LintOptions, fix};
use entramap::mapping;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

fn entramap() -> Command {
    let mut cmd = Command::cargo_bin("entramap").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = entramap().args(args).output().unwrap();
    (
        out.status.code().expect("exited with a code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fix-safety-{test}"));
    if dir.exists() {
        let _ = std::process::Command::new("chattr")
            .args(["-i", dir.to_str().unwrap()])
            .status();
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A YAML mapping with one safe fix (`join` → `Join`).
const NEEDS_FIX: &str = "mappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: displayName\n    source: join(\" \", [givenName], [surname])  # keep this comment\n";
const FIXED: &str = "mappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: displayName\n    source: Join(\" \", [givenName], [surname])  # keep this comment\n";

fn no_temporary_files_left(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".entramap-"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn fix_keeps_permissions_and_owner() {
    let dir = scratch("permissions");
    let path = dir.join("mapping.yaml");
    std::fs::write(&path, NEEDS_FIX).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    // As root, give the file to another owner: the fix keeps it theirs.
    let chowned = std::os::unix::fs::chown(&path, Some(65534), Some(65534)).is_ok();
    let before = std::fs::metadata(&path).unwrap();
    let (code, out, err) = run(&["lint", "--fix", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("fixed 1 problem"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FIXED);
    let after = std::fs::metadata(&path).unwrap();
    assert_eq!(after.permissions().mode() & 0o7777, 0o640);
    if chowned {
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    }
    no_temporary_files_left(&dir);
}

#[test]
fn fix_keeps_bom_line_endings_and_symlinks() {
    let dir = scratch("bom-crlf-link");
    let real = dir.join("real.yaml");
    let crlf = format!("\u{feff}{}", NEEDS_FIX.replace('\n', "\r\n"));
    std::fs::write(&real, &crlf).unwrap();
    let link = dir.join("link.yaml");
    std::os::unix::fs::symlink("real.yaml", &link).unwrap();
    let (code, out, err) = run(&["lint", "--fix", link.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let expected = format!("\u{feff}{}", FIXED.replace('\n', "\r\n"));
    assert_eq!(std::fs::read_to_string(&real).unwrap(), expected);
    no_temporary_files_left(&dir);
}

/// Makes `dir` refuse new entries for as long as the guard lives: read-only for an ordinary
/// user; immutable (`chattr +i`) for root, whom file modes do not stop. `None` when neither
/// works here.
struct Locked(PathBuf, bool);

impl Locked {
    fn new(dir: &Path) -> Option<Locked> {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = dir.join("probe");
        if std::fs::write(&probe, "").is_err() {
            return Some(Locked(dir.to_path_buf(), false));
        }
        std::fs::remove_file(&probe).unwrap();
        let immutable = std::process::Command::new("chattr")
            .args(["+i", dir.to_str().unwrap()])
            .status()
            .is_ok_and(|s| s.success());
        if immutable && std::fs::write(&probe, "").is_err() {
            return Some(Locked(dir.to_path_buf(), true));
        }
        let _ = std::fs::remove_file(&probe);
        Locked(dir.to_path_buf(), immutable).unlock();
        None
    }

    fn unlock(&self) {
        if self.1 {
            let _ = std::process::Command::new("chattr")
                .args(["-i", self.0.to_str().unwrap()])
                .status();
        }
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

impl Drop for Locked {
    fn drop(&mut self) {
        self.unlock();
    }
}

#[test]
fn a_failed_write_leaves_the_file_unchanged() {
    let dir = scratch("read-only-dir");
    let path = dir.join("mapping.yaml");
    std::fs::write(&path, NEEDS_FIX).unwrap();
    let Some(lock) = Locked::new(&dir) else {
        eprintln!("skipped: cannot make a directory refuse new files here");
        return;
    };
    let (code, out, err) = run(&["lint", "--fix", path.to_str().unwrap()]);
    drop(lock);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("cannot write") && err.contains("the file is unchanged"),
        "{err}"
    );
    // The report still shows what is left to fix, and the summary says a file failed.
    assert!(out.contains("function-name-case"), "{out}");
    assert!(out.contains("1 file failed"), "{out}");
    assert_eq!(std::fs::read(&path).unwrap(), NEEDS_FIX.as_bytes());
    no_temporary_files_left(&dir);
}

/// A fix whose result would not load is refused with the file untouched. No built-in rule makes
/// such a fix, so one is made here: removing the only mapping of a bare attributeMappings array
/// would leave `[]`, which is no mapping file.
#[test]
fn a_fix_that_would_break_the_file_is_refused() {
    use entramap::lint::{Finding, Fix, FixEdit};
    use entramap::{Diagnostic, Severity};
    let text = "[\n  {\n    \"targetAttributeName\": \"title\",\n    \"source\": {\"expression\": \"[jobTitle]\", \"name\": \"jobTitle\", \"type\": \"Attribute\"}\n  }\n]\n";
    let file = mapping::load(text).unwrap();
    let finding = Finding {
        diagnostic: Diagnostic::new("EM101", "target-not-allowed", Severity::Error, "title"),
        target: Some("title".into()),
        location: Some((0, Some(0))),
        fix: Some(Fix {
            message: "remove the mapping".into(),
            safe: true,
            edit: FixEdit::RemoveMapping,
        }),
    };
    let e = fix::plan(text, &file, &[finding], false).unwrap_err();
    assert!(matches!(e, fix::FixError::WouldBreak(_)), "{e}");
    assert!(e.to_string().contains("would no longer load"), "{e}");
    assert!(e.to_string().contains("nothing was changed"), "{e}");
}

/// Findings of one file applied to another (a caller's mistake) do not panic: mappings the file
/// lacks are skipped, and whatever is planned still loads.
#[test]
fn findings_of_another_file_do_not_panic() {
    let big = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mappings/scim-default-user.json"),
    )
    .unwrap();
    let big_file = mapping::load(&big).unwrap();
    let options = LintOptions {
        profile: Some(entramap::profile::Profile::resolve("unleash").unwrap()),
        ..Default::default()
    };
    let findings = lint::lint(&big_file, &options);
    assert!(findings.iter().any(|f| f.fix.is_some()));
    let small = NEEDS_FIX;
    let small_file = mapping::load(small).unwrap();
    for unsafe_too in [false, true] {
        if let Ok(plan) = fix::plan(small, &small_file, &findings, unsafe_too) {
            assert!(mapping::load(&plan.text).is_ok());
        }
    }
}

// ------------------------------------------------------------ what --fix refuses, keeps and races

fn fix(path: &Path) -> (i32, String, String) {
    run(&["lint", "--fix", path.to_str().unwrap()])
}

/// A file with two names is not replaced (the other name would keep the old text): refused with
/// the reason, both names unchanged.
#[test]
fn hard_links_are_refused_with_the_reason() {
    let dir = scratch("hard-link");
    let path = dir.join("mapping.yaml");
    std::fs::write(&path, NEEDS_FIX).unwrap();
    let other = dir.join("other-name.yaml");
    std::fs::hard_link(&path, &other).unwrap();
    let (code, out, err) = fix(&path);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("has 2 hard links"), "{err}");
    assert!(err.contains("--fix does not write it"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), NEEDS_FIX);
    assert_eq!(std::fs::read_to_string(&other).unwrap(), NEEDS_FIX);
    assert_eq!(std::fs::metadata(&path).unwrap().nlink(), 2);
    no_temporary_files_left(&dir);
}

/// A read-only file (0444) is not written, even by root, whom modes do not stop.
#[test]
fn read_only_files_are_refused() {
    let dir = scratch("read-only-file");
    let path = dir.join("mapping.yaml");
    std::fs::write(&path, NEEDS_FIX).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (code, out, err) = fix(&path);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("is read-only (mode 0444)"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), NEEDS_FIX);
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, 0o444);
    no_temporary_files_left(&dir);
}

/// setuid, setgid and sticky bits are kept (changing the owner used to clear them).
#[test]
fn setuid_and_setgid_bits_are_kept() {
    let dir = scratch("setuid");
    let path = dir.join("mapping.yaml");
    std::fs::write(&path, NEEDS_FIX).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o6754)).unwrap();
    let mode = std::fs::metadata(&path).unwrap().mode() & 0o7777;
    assert_eq!(mode, 0o6754, "this file system does not keep setuid/setgid");
    let (code, out, err) = fix(&path);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FIXED);
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, 0o6754);
    no_temporary_files_left(&dir);
}

/// Extended attributes are copied to the fixed file.
#[test]
fn extended_attributes_are_kept() {
    let dir = scratch("xattr");
    let path = dir.join("mapping.yaml");
    std::fs::write(&path, NEEDS_FIX).unwrap();
    if let Err(e) = rustix::fs::setxattr(
        &path,
        "user.entramap-test",
        b"kept",
        rustix::fs::XattrFlags::empty(),
    ) {
        eprintln!("skipped: this file system takes no user extended attributes ({e})");
        return;
    }
    let (code, out, err) = fix(&path);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FIXED);
    let mut value = [0u8; 16];
    let n = rustix::fs::getxattr(&path, "user.entramap-test", &mut value[..]).unwrap();
    assert_eq!(&value[..n], b"kept");
    no_temporary_files_left(&dir);
}

/// Waits (up to 20 s) for a temporary file of a fix to appear in `dir`.
fn wait_for_temporary_file(dir: &Path) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(20) {
        let found = std::fs::read_dir(dir).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".entramap-")
        });
        if found {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    false
}

/// SIGINT, SIGTERM or SIGHUP while the fixed copy is written: the temporary file is removed,
/// the original is unchanged and the process ends by that signal.
#[test]
fn a_signal_during_the_write_removes_the_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let bin = assert_cmd::cargo::cargo_bin("entramap");
    for (name, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let dir = scratch(&format!("signal-{name}"));
        let path = dir.join("mapping.yaml");
        std::fs::write(&path, NEEDS_FIX).unwrap();
        let mut child = std::process::Command::new(&bin)
            .args(["lint", "--fix", path.to_str().unwrap()])
            .env("ENTRAMAP_TEST_FIX_PAUSE_MS", "20000")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            wait_for_temporary_file(&dir),
            "SIG{name}: no temporary file appeared"
        );
        let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
        let signal = rustix::process::Signal::from_named_raw(number).unwrap();
        rustix::process::kill_process(pid, signal).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(number), "SIG{name}: {status}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            NEEDS_FIX,
            "SIG{name}"
        );
        no_temporary_files_left(&dir);
    }
}

/// An editor saving at random moments (by writing a new file and renaming it, or in place)
/// races `--fix` 500 times. Every save that finished is in the file afterwards (as saved, or
/// fixed by a fix that read it), or the fix was refused; no temporary file is ever left.
#[test]
fn an_editor_racing_fix_never_loses_a_save() {
    const RACES: u64 = 500;
    let bin = assert_cmd::cargo::cargo_bin("entramap");
    let dir = scratch("editor-race");
    let path = dir.join("mapping.yaml");
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut refused, mut fixed_save, mut save_after_fix) = (0, 0, 0);
    for race in 0..RACES {
        std::fs::write(&path, format!("{NEEDS_FIX}# before race {race}\n")).unwrap();
        let saved = format!("{NEEDS_FIX}# saved in race {race}\n");
        let by_rename = next() % 2 == 0;
        let delay = std::time::Duration::from_micros(next() % 12_000);
        let pause = (next() % 3).to_string();
        let child = std::process::Command::new(&bin)
            .args(["lint", "--fix", path.to_str().unwrap()])
            .env("ENTRAMAP_TEST_FIX_PAUSE_MS", &pause)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if by_rename {
            let tmp = dir.join(".mapping.yaml.editor~");
            std::fs::write(&tmp, &saved).unwrap();
            std::fs::rename(&tmp, &path).unwrap();
        } else {
            std::fs::write(&path, &saved).unwrap();
        }
        // The save has finished; now the fix ends.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let now = std::fs::read_to_string(&path).unwrap();
        let fixed = saved.replace("join(", "Join(");
        assert!(
            now == saved || now == fixed,
            "race {race} (by {}, after {delay:?}, exit {:?}): the save was lost; the file holds:\n{now}\nstderr: {err}",
            if by_rename {
                "rename"
            } else {
                "in-place write"
            },
            out.status.code()
        );
        match out.status.code() {
            Some(2) if err.contains("changed while entramap was fixing it") => refused += 1,
            Some(0) if now == fixed => fixed_save += 1,
            _ => save_after_fix += 1,
        }
        no_temporary_files_left(&dir);
    }
    eprintln!(
        "{RACES} races: {refused} fixes refused, {fixed_save} saves read and fixed, {save_after_fix} saves after the fix or the fix saw no change"
    );
    assert_eq!(refused + fixed_save + save_after_fix, RACES);
}
