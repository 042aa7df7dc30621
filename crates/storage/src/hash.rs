//! sha256 while bytes stream past, so checksums never cost a second read of a download.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Buffer size for streaming copies and hashing.
pub(crate) const BUF_SIZE: usize = 1024 * 1024;

/// Hex sha256 of a byte slice.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Size and hex sha256 of a local file (blocking; call from `spawn_blocking`).
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    sha256_std_reader(&mut file)
}

/// Size and hex sha256 of everything a blocking reader yields.
pub(crate) fn sha256_std_reader(reader: &mut impl Read) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUF_SIZE];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// Where a streaming copy failed: reading the source or writing the destination.
#[derive(Debug)]
pub(crate) enum CopyError {
    Read(std::io::Error),
    Write(std::io::Error),
}

/// Copies `reader` to `writer` (flushing it), returning the size and hex sha256.
pub(crate) async fn copy_hashing<R, W>(
    reader: &mut R,
    writer: &mut W,
) -> Result<(u64, String), CopyError>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUF_SIZE];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf).await.map_err(CopyError::Read)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        writer
            .write_all(&buf[..n])
            .await
            .map_err(CopyError::Write)?;
        size += n as u64;
    }
    writer.flush().await.map_err(CopyError::Write)?;
    Ok((size, hex::encode(hasher.finalize())))
}

/// Size and hex sha256 of everything an async reader yields.
pub(crate) async fn sha256_async_reader<R>(reader: &mut R) -> std::io::Result<(u64, String)>
where
    R: AsyncRead + Unpin + ?Sized,
{
    let mut sink = tokio::io::sink();
    copy_hashing(reader, &mut sink).await.map_err(|e| match e {
        CopyError::Read(e) | CopyError::Write(e) => e,
    })
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
pub(crate) async fn read_full<R>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize>
where
    R: AsyncRead + Unpin + ?Sized,
{
    let mut filled = 0;
    while filled < buf.len() {
        let n = reader.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let (size, hex) = sha256_std_reader(&mut &b"abc"[..]).unwrap();
        assert_eq!((size, hex.as_str()), (3, sha256_hex(b"abc").as_str()));
    }
}
