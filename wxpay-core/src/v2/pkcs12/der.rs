//! The few DER shapes PKCS#12 is made of, read strictly and with bounded
//! element counts (no recursion: the caller walks the fixed structure).

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};

use super::error::Pkcs12Error;

pub(super) type Result<T> = std::result::Result<T, Pkcs12Error>;

/// The one element `bytes` holds (nothing may follow it).
pub(super) fn element<'a>(bytes: &'a [u8], what: &'static str) -> Result<AnyRef<'a>> {
    AnyRef::from_der(bytes).map_err(|_| Pkcs12Error::Malformed(what))
}

fn expect(any: &AnyRef<'_>, tag: Tag, what: &'static str) -> Result<()> {
    if any.tag() == tag {
        Ok(())
    } else {
        Err(Pkcs12Error::Malformed(what))
    }
}

/// The elements of a SEQUENCE (or SET: `tag`), refusing more than `limit`.
pub(super) fn items<'a>(
    any: AnyRef<'a>,
    tag: Tag,
    what: &'static str,
    limit: usize,
) -> Result<Vec<AnyRef<'a>>> {
    expect(&any, tag, what)?;
    let malformed = |_| Pkcs12Error::Malformed(what);
    let mut reader = SliceReader::new(any.value()).map_err(malformed)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        if out.len() == limit {
            return Err(Pkcs12Error::Limit { what, limit });
        }
        out.push(reader.decode::<AnyRef<'a>>().map_err(malformed)?);
    }
    Ok(out)
}

/// The elements of a SEQUENCE with `min..=max` fields.
pub(super) fn fields<'a>(
    any: AnyRef<'a>,
    what: &'static str,
    min: usize,
    max: usize,
) -> Result<Vec<AnyRef<'a>>> {
    let out = items(any, Tag::Sequence, what, max).map_err(|e| match e {
        Pkcs12Error::Limit { .. } => Pkcs12Error::Malformed(what),
        e => e,
    })?;
    if out.len() < min {
        return Err(Pkcs12Error::Malformed(what));
    }
    Ok(out)
}

pub(super) fn oid(any: &AnyRef<'_>, what: &'static str) -> Result<ObjectIdentifier> {
    expect(any, Tag::ObjectIdentifier, what)?;
    ObjectIdentifier::from_bytes(any.value()).map_err(|_| Pkcs12Error::Malformed(what))
}

pub(super) fn octets<'a>(any: &AnyRef<'a>, what: &'static str) -> Result<&'a [u8]> {
    expect(any, Tag::OctetString, what)?;
    Ok(any.value())
}

/// A non-negative INTEGER, saturated at `u64::MAX`.
pub(super) fn unsigned(any: &AnyRef<'_>, what: &'static str) -> Result<u64> {
    expect(any, Tag::Integer, what)?;
    let bytes = any.value();
    match bytes.first() {
        None => return Err(Pkcs12Error::Malformed(what)),
        Some(first) if first & 0x80 != 0 => return Err(Pkcs12Error::Malformed(what)),
        _ => {}
    }
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let digits = &bytes[start..];
    if digits.len() > 8 {
        return Ok(u64::MAX);
    }
    Ok(digits.iter().fold(0, |n, &b| (n << 8) | u64::from(b)))
}

/// The encoding of the one element inside `[0] EXPLICIT`.
pub(super) fn explicit0<'a>(any: &AnyRef<'a>, what: &'static str) -> Result<&'a [u8]> {
    let tag = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::N0,
    };
    expect(any, tag, what)?;
    element(any.value(), what)?;
    Ok(any.value())
}

/// The octets of a `[0] IMPLICIT OCTET STRING` (primitive, as DER has it).
pub(super) fn implicit0_octets<'a>(any: &AnyRef<'a>, what: &'static str) -> Result<&'a [u8]> {
    let tag = Tag::ContextSpecific {
        constructed: false,
        number: TagNumber::N0,
    };
    expect(any, tag, what)?;
    Ok(any.value())
}

/// An AlgorithmIdentifier: the OID and its parameters, if any.
pub(super) fn algorithm<'a>(
    any: AnyRef<'a>,
    what: &'static str,
) -> Result<(ObjectIdentifier, Option<AnyRef<'a>>)> {
    let parts = fields(any, what, 1, 2)?;
    Ok((oid(&parts[0], what)?, parts.get(1).copied()))
}
