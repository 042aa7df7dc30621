//! Integrity: every object `encode.json` lists exists with the listed size and checksum.

use crate::report::Report;
use reel_core::manifest::ObjectEntry;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// `sha256:<hex>` of a file's bytes.
pub fn file_checksum(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

/// What is wrong with one listed object, if anything.
fn object_problem(root: &Path, entry: &ObjectEntry) -> Option<String> {
    let path = root.join(&entry.key);
    let size = match std::fs::metadata(&path) {
        Ok(m) => m.len(),
        Err(_) => return Some(format!("{} is missing", entry.key)),
    };
    if size != entry.size {
        return Some(format!(
            "{} has {size} bytes, listed {}",
            entry.key, entry.size
        ));
    }
    match file_checksum(&path) {
        Ok(sum) if sum == entry.checksum => None,
        Ok(sum) => Some(format!(
            "{} has checksum {sum}, listed {}",
            entry.key, entry.checksum
        )),
        Err(e) => Some(format!("{} cannot be read: {e}", entry.key)),
    }
}

/// Checks every listed object under `root`.
pub fn check_objects(root: &Path, objects: &[ObjectEntry], report: &mut Report) {
    let problems: Vec<String> = objects
        .iter()
        .filter_map(|o| object_problem(root, o))
        .collect();
    let evidence = if problems.is_empty() {
        format!(
            "all {} listed objects exist with their listed size and checksum",
            objects.len()
        )
    } else {
        format!(
            "{} of {} listed objects differ: {}",
            problems.len(),
            objects.len(),
            problems.join("; ")
        )
    };
    report.expect("integrity.objects", "title", problems.is_empty(), evidence);
}
