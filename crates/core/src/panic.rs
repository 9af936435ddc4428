//! What a caught panic said, for turning a panicking worker thread into an error or
//! a problem of the run instead of a silent loss.

/// The panic's message (`panic!("...")` payloads are `&str` or `String`).
pub fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_both_payload_kinds() {
        let p = std::panic::catch_unwind(|| panic!("plain")).unwrap_err();
        assert_eq!(super::message(p.as_ref()), "plain");
        let n = 3;
        let p = std::panic::catch_unwind(|| panic!("formatted {n}")).unwrap_err();
        assert_eq!(super::message(p.as_ref()), "formatted 3");
    }
}
