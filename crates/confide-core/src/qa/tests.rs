use super::*;

fn item(key: &str, channel: &str, advisor: &str, month: &str) -> SampleItem {
    SampleItem { key: key.into(), channel: channel.into(), advisor: advisor.into(), month: month.into(), at: 0 }
}

fn request(rate: Option<u32>, count: Option<u32>) -> SampleRequest {
    SampleRequest {
        from: "2026-10-01".into(),
        to: "2026-10-31".into(),
        channels: vec!["email".into(), "webchat".into()],
        per_advisor_per_month: rate,
        count,
        seed: None,
    }
}

#[test]
fn a_rate_takes_that_many_from_each_advisor_and_channel_and_all_of_a_small_stratum() {
    let mut c = vec![];
    for (advisor, n) in [("a", 12), ("b", 7), ("c", 3)] {
        for i in 0..n {
            c.push(item(&format!("email:{advisor}{i}"), "email", advisor, "2026-10"));
        }
    }
    c.push(item("webchat:x", "webchat", "a", "2026-10"));
    let s = draw(c.clone(), &request(Some(5), None), "seed1");
    let per = |a: &str, ch: &str| s.items.iter().filter(|i| i.advisor == a && i.channel == ch).count();
    assert_eq!((per("a", "email"), per("b", "email"), per("c", "email"), per("a", "webchat")), (5, 5, 3, 1));
    // The same seed, whatever order the replies come in, draws the same sample; another seed another.
    c.reverse();
    assert_eq!(draw(c.clone(), &request(Some(5), None), "seed1").items, s.items);
    assert_ne!(draw(c, &request(Some(5), None), "seed2").items, s.items);
}

#[test]
fn a_count_is_spread_in_proportion() {
    let mut c = vec![];
    for (advisor, n) in [("a", 30), ("b", 10)] {
        for i in 0..n {
            c.push(item(&format!("email:{advisor}{i}"), "email", advisor, "2026-10"));
        }
    }
    let s = draw(c, &request(None, Some(8)), "s");
    assert_eq!(s.strata.iter().map(|x| x.chosen).collect::<Vec<_>>(), [6, 2]);
    assert_eq!(s.items.len(), 8);
    assert_eq!(proportional(&[1, 1, 1], 2).iter().sum::<usize>(), 2);
    assert_eq!(proportional(&[2], 10), [2], "never more than there is");
}

#[test]
fn requests_are_checked() {
    assert!(check(&request(Some(5), None)).is_ok());
    assert!(check(&request(Some(5), Some(3))).is_err(), "a rate or a count, not both");
    assert!(check(&request(None, None)).is_err());
    let mut r = request(Some(1), None);
    r.to = "2026-09-01".into();
    assert!(check(&r).is_err());
}

#[test]
fn masking_removes_the_correspondents_details() {
    let text = "Hi, it's Wendell Okafor again. Call me on 07700 900123 or +44 (0)113 496 0000, \
                I live at 14 Larkspur Road, Leeds LS6 2AB. My email is w.okafor@example.org, see www.example.org/me. wendell";
    let masked = mask::mask(text, &mask::names_of("\"Wendell Okafor\" <w.okafor@example.org>"));
    for gone in
        ["Wendell", "wendell", "Okafor", "07700", "900123", "496", "Larkspur", "LS6", "2AB", "w.okafor", "example.org"]
    {
        assert!(!masked.contains(gone), "{gone} in {masked}");
    }
    assert!(masked.contains("Leeds"), "a town alone is not masked: {masked}");
    let partial = mask::mask("call 07700 or 900123 at Larkspur Road in 2026", &[]);
    assert_eq!(
        partial, "call [number] or [number] at Larkspur Road in 2026",
        "lower-case words are not a street; a year is not a number to hide"
    );
    assert!(
        masked.contains("[name]")
            && masked.contains("[number]")
            && masked.contains("[address]")
            && masked.contains("[postcode]")
            && masked.contains("[email]")
    );
}

#[test]
fn reviews_score_every_criterion_and_sum_up_by_advisor_and_month() {
    let rubric = default_rubric();
    let mut r = Review {
        key: "email:1".into(),
        channel: "email".into(),
        advisor: "a".into(),
        month: "2026-10".into(),
        seed: "s".into(),
        scores: BTreeMap::new(),
        comment: String::new(),
        reviewer: String::new(),
        at: 0,
    };
    assert!(check_review(&r, &rubric).is_err());
    r.scores = rubric.iter().map(|c| (c.id.clone(), 4)).collect();
    assert!(check_review(&r, &rubric).is_ok());
    let mut r2 = r.clone();
    r2.scores.insert("tone".into(), 5);
    let rows = summary(&[r.clone(), r2]);
    assert_eq!((rows.len(), rows[0].reviews, rows[0].means["tone"]), (1, 2, 4.5));
    let csv = summary_csv(&rows, &rubric, &[("a".to_owned(), "Bob".to_owned())].into());
    assert!(
        csv.starts_with("advisor,month,reviews,\"Risk recognised") && csv.contains("\"Bob\",2026-10,2,4.0"),
        "{csv}"
    );
}
