//! Which spec operations the suite drives and which it leaves out on purpose
//! (`EXCLUDED`), plus the check that every operation of the spec is in
//! exactly one of those places: an operation the document gains fails the
//! suite until the client has a driver for it (or it is excluded with a reason).

/// Documented inputs the SDK deliberately does not expose, each with the
/// reason: `(operation id, input, why)`, the input named as the suite names
/// it (`query teamId`, `body pod.gpuCount`). Every other documented
/// parameter and body property must be sent by some call of the driver.
pub const EXCLUDED_INPUTS: &[(&str, &str, &str)] = &[];

/// Operations the suite leaves out on purpose, each with the reason.
///
/// `/api/admin/*` operations are internal; normalization drops them from the
/// document before the suite sees it, so they need no entry here.
pub const EXCLUDED: &[(&str, &str)] = &[];

/// Every way the drivers, the exclusions and the spec disagree, one sentence each.
pub fn coverage_problems(
    spec_operations: &[&str],
    driven: &[&str],
    excluded: &[(&str, &str)],
) -> Vec<String> {
    let mut problems = Vec::new();
    let excluded_ids: Vec<&str> = excluded.iter().map(|(id, _)| *id).collect();
    for id in spec_operations {
        if !driven.contains(id) && !excluded_ids.contains(id) {
            problems.push(format!(
                "operation `{id}` is neither driven nor excluded: the client cannot call it; add it to the client and a driver (or to EXCLUDED with a reason)"
            ));
        }
    }
    let lists: [(&str, &[&str]); 2] = [("driver", driven), ("EXCLUDED entry", &excluded_ids)];
    for (kind, ids) in lists {
        for id in ids {
            if !spec_operations.contains(id) {
                problems.push(format!(
                    "{kind} `{id}` names no operation of the spec: remove it or fix the id"
                ));
            }
        }
    }
    for (id, reason) in excluded {
        if driven.contains(id) {
            problems.push(format!(
                "`{id}` is EXCLUDED but also driven: keep it in one place"
            ));
        }
        if reason.trim().is_empty() {
            problems.push(format!("EXCLUDED `{id}` gives no reason"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::coverage_problems;

    #[test]
    fn lists_that_agree_with_the_spec_raise_nothing() {
        let problems = coverage_problems(&["a", "c"], &["a"], &[("c", "internal")]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn an_operation_in_no_list_is_named() {
        let problems = coverage_problems(&["a", "new_op"], &["a"], &[]);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("new_op") && problems[0].contains("neither driven nor excluded"),
            "{problems:?}"
        );
    }

    #[test]
    fn entries_naming_no_operation_are_named() {
        let problems = coverage_problems(&["a"], &["a", "gone_driver"], &[("gone_excluded", "x")]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        for id in ["gone_driver", "gone_excluded"] {
            assert!(
                problems.iter().any(|p| p.contains(id)),
                "{id}: {problems:?}"
            );
        }
    }

    #[test]
    fn an_excluded_operation_with_a_driver_is_named() {
        let problems = coverage_problems(&["a"], &["a"], &[("a", "internal")]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("also driven"), "{problems:?}");
    }

    #[test]
    fn an_exclusion_without_a_reason_is_named() {
        let problems = coverage_problems(&["a"], &[], &[("a", " ")]);
        assert_eq!(problems, ["EXCLUDED `a` gives no reason"]);
    }
}
