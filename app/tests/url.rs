//! Addresses in and out: good ones restore the view, bad ones give a message
//! and a fallback, and nothing panics.

use wakescope_app::url::{self, format, parse, parse_seed, step_past_end};

#[test]
fn a_good_address_restores_the_view() {
    let parsed = parse("?s=timers&mode=sequential&seed=42&step=17&popcorn_s=4");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let r = parsed.request;
    assert_eq!(r.scenario.id, "timers");
    assert_eq!(r.params.mode, "sequential");
    assert_eq!(r.params.get("popcorn_s"), 4);
    assert_eq!(r.params.get("boiler_s"), 5);
    assert_eq!(r.seed, 42);
    assert_eq!(r.step, Some(17));
}

#[test]
fn an_empty_address_is_the_default_view() {
    for query in ["", "?", "?&&"] {
        let parsed = parse(query);
        assert!(parsed.errors.is_empty(), "{query}: {:?}", parsed.errors);
        assert_eq!(parsed.request.scenario.id, "timers");
        assert_eq!(parsed.request.params.mode, "concurrent");
        assert_eq!(parsed.request.seed, 0);
        assert_eq!(parsed.request.step, None);
    }
}

#[test]
fn format_and_parse_round_trip() {
    let parsed = parse("?s=timers&mode=concurrent&seed=18446744073709551615&step=3&cookies_s=12");
    let r = &parsed.request;
    let query = format(r.scenario, &r.params, r.seed, None, 3);
    assert_eq!(
        query,
        "?s=timers&mode=concurrent&seed=18446744073709551615&step=3&popcorn_s=3&boiler_s=5&cookies_s=12"
    );
    assert_eq!(parse(&query).request, parsed.request);
    assert!(parse(&query).errors.is_empty());
}

#[test]
fn a_schedule_goes_through_the_address_and_a_bad_one_is_a_sentence() {
    let parsed = parse("?s=race&mode=racy&seed=12&step=4&schedule=s:0010(40)2");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let r = &parsed.request;
    let schedule = r.schedule.as_ref().expect("a schedule");
    assert_eq!(schedule.choices(), &[0, 0, 1, 0, 40, 2]);
    let query = format(r.scenario, &r.params, r.seed, Some(schedule), 4);
    assert!(query.ends_with("&schedule=s:0010(40)2"), "{query}");
    assert_eq!(parse(&query).request, parsed.request);
    // Percent-encoded by a mailer, it still reads.
    let encoded = parse("?s=race&seed=12&schedule=s%3A0010%2840%292");
    assert_eq!(encoded.request.schedule.as_ref(), Some(schedule));
    assert_eq!(
        url::format_program(3, Some(schedule), 9),
        "?seed=3&step=9&schedule=s:0010(40)2"
    );

    for (bad, says) in [
        ("0101", "is not a schedule"),
        ("s:01!", "is not a schedule"),
        ("s:0(12", "is not a schedule"),
    ] {
        let parsed = parse(&format!("?s=race&seed=12&schedule={bad}"));
        assert_eq!(parsed.request.schedule, None, "{bad}");
        assert_eq!(parsed.request.seed, 12, "the seed stays");
        assert_eq!(parsed.errors.len(), 1, "{bad}: {:?}", parsed.errors);
        assert!(
            parsed.errors[0].contains(says) && parsed.errors[0].contains("the seed's own run"),
            "{}",
            parsed.errors[0]
        );
    }
    let long = format!("?schedule=s:{}", "0".repeat(url::SCHEDULE_CHARS_MAX));
    let parsed = parse(&long);
    assert_eq!(parsed.request.schedule, None);
    assert!(parsed.errors[0].contains("limit"), "{:?}", parsed.errors);
}

#[test]
fn an_unknown_scenario_falls_back_to_the_default() {
    let parsed = parse("?s=nope&mode=weird&popcorn_s=9&seed=5");
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    assert!(
        parsed.errors[0].contains("unknown scenario `nope`"),
        "{}",
        parsed.errors[0]
    );
    assert_eq!(parsed.request.scenario.id, "timers");
    assert_eq!(parsed.request.params.mode, "concurrent");
    assert_eq!(parsed.request.params.get("popcorn_s"), 3);
    assert_eq!(parsed.request.seed, 5, "the seed is still honoured");
}

#[test]
fn a_bad_seed_falls_back_to_zero() {
    for (seed, words) in [
        ("abc", "not a whole number"),
        ("-1", "out of range"),
        ("18446744073709551616", "out of range"),
        ("1.5", "not a whole number"),
        ("", "empty"),
    ] {
        let parsed = parse(&format!("?s=timers&seed={seed}"));
        assert_eq!(parsed.request.seed, 0, "{seed}");
        assert_eq!(parsed.errors.len(), 1, "{seed}: {:?}", parsed.errors);
        assert!(parsed.errors[0].contains(words), "{seed}: {}", parsed.errors[0]);
        assert!(parsed.errors[0].ends_with("using seed 0"), "{}", parsed.errors[0]);
    }
    assert_eq!(parse_seed(" 7 "), Ok(7));
}

#[test]
fn a_bad_step_shows_the_last_step() {
    let parsed = parse("?step=later");
    assert_eq!(parsed.request.step, Some(u64::MAX));
    assert!(parsed.errors[0].contains("step `later`"), "{}", parsed.errors[0]);
    assert_eq!(
        step_past_end(99, 44),
        "step 99 is past the end of this run (44 steps); showing the last step"
    );
}

#[test]
fn bad_parameters_fall_back_to_their_defaults() {
    let parsed = parse("?s=timers&mode=parallel&popcorn_s=-4&boiler_s=lots&oven_s=3&cookies_s=7");
    let r = &parsed.request;
    assert_eq!(r.params.mode, "concurrent");
    assert_eq!(r.params.get("popcorn_s"), 3);
    assert_eq!(r.params.get("boiler_s"), 5);
    assert_eq!(r.params.get("cookies_s"), 7, "a good parameter is kept");
    assert_eq!(parsed.errors.len(), 4, "{:?}", parsed.errors);
    assert!(parsed.errors.iter().any(|e| e.contains("unknown mode `parallel`")));
    assert!(parsed.errors.iter().any(|e| e.contains("out of range")));
    assert!(parsed.errors.iter().any(|e| e.contains("not a whole number")));
    assert!(parsed.errors.iter().any(|e| e.contains("no parameter `oven_s`")));
}

#[test]
fn hostile_text_is_decoded_quoted_and_cut_never_trusted() {
    let parsed = parse("?s=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&seed=%3Cb%3E");
    assert_eq!(parsed.request.scenario.id, "timers");
    assert!(
        parsed.errors[0].contains("`<img src=x onerror=alert(1)>`"),
        "{}",
        parsed.errors[0]
    );
    assert!(parsed.errors[1].contains("`<b>`"), "{}", parsed.errors[1]);
    let long = "x".repeat(10_000);
    let parsed = parse(&format!("?s={long}"));
    assert!(parsed.errors[0].len() < 300, "a long value is cut in the message");
    // Broken escapes and odd bytes never panic.
    for query in [
        "?s=%",
        "?s=%zz",
        "?seed=%FF%FE",
        "?=&=&==",
        "?step=%",
        "?s=timers&popcorn_s=%E2%82",
    ] {
        let _ = parse(query);
    }
    let many: String = (0..100).map(|i| format!("p{i}=1&")).collect();
    let parsed = parse(&format!("?{many}"));
    assert!(parsed.errors[0].contains("only the first 64"), "{}", parsed.errors[0]);
}

// Programs in the fragment: `#code=` + lz-string's compressToEncodedURIComponent.

/// What the JavaScript `lz-string` package (1.5.0) writes for this text.
const JS_TEXT: &str = "async fn main() {\n    println!(\"hi 🍿\");\n}\n";
const JS_CODE: &str = "IYZwngdgxgBAZhGBbYBLCAKAlDA3gKBiJgAcAndAFwBsIBCDAIgAtUZAeDcH99xrAbnwC++IA";

#[test]
fn a_program_link_is_what_the_javascript_package_writes_and_reads() {
    assert_eq!(url::code_hash(JS_TEXT), Ok(format!("#code={JS_CODE}")));
    assert_eq!(
        url::parse_hash(&format!("#code={JS_CODE}")),
        Ok(Some(JS_TEXT.to_string()))
    );
    // Without the `#`, and percent-encoded on the way.
    assert_eq!(
        url::parse_hash(&format!("code={}", JS_CODE.replace('+', "%2B"))),
        Ok(Some(JS_TEXT.to_string()))
    );
    assert_eq!(url::format_program(42, None, 17), "?seed=42&step=17");
}

#[test]
fn every_example_program_goes_through_a_link_unchanged() {
    for example in wakescope_app::model::examples::EXAMPLES {
        let hash = url::code_hash(example.text).expect("an example fits in a link");
        assert!(
            hash.len() < url::CODE_HASH_CHARS_MAX / 4,
            "{}: {} characters",
            example.id,
            hash.len()
        );
        assert_eq!(
            url::parse_hash(&hash),
            Ok(Some(example.text.to_string())),
            "{}",
            example.id
        );
    }
}

#[test]
fn a_fragment_without_a_program_is_no_program() {
    assert_eq!(url::parse_hash(""), Ok(None));
    assert_eq!(url::parse_hash("#panels"), Ok(None));
}

#[test]
fn a_damaged_or_cut_short_link_is_a_sentence_never_a_garbled_program() {
    let hash = url::code_hash(wakescope_app::model::examples::EXAMPLES[0].text).expect("fits");
    let code = hash.strip_prefix("#code=").expect("prefix");
    let mut cases: Vec<String> = vec![
        "#code=".into(),
        "#code=%%%".into(),
        "#code=<img src=x onerror=alert(1)>".into(),
        format!("#code={}!", &code[..10]),
    ];
    // Cut short anywhere.
    for cut in [1, 2, 5, code.len() / 3, code.len() / 2, code.len() - 3] {
        cases.push(format!("#code={}", &code[..cut]));
    }
    for case in cases {
        match url::parse_hash(&case) {
            Err(message) => assert!(
                message.contains("damaged or cut short") || message.contains("empty"),
                "{case}: {message}"
            ),
            Ok(text) => panic!("{case} read as {text:?}"),
        }
    }
}

#[test]
fn a_program_over_the_limit_gets_a_message_instead_of_a_link() {
    let max = wakescope_playground::PROGRAM_BYTES_MAX;
    let long = format!("async fn main() {{}}\n{}", "// padding\n".repeat(max / 11 + 1));
    assert!(long.len() > max);
    let message = url::code_hash(&long).expect_err("too long to share");
    assert!(
        message.contains(&max.to_string()) && message.contains("kept"),
        "{message}"
    );
    // A link carrying more than the limit is refused when read, too.
    let js_made = lz_str::compress_to_encoded_uri_component(long.as_str());
    let message = url::parse_hash(&format!("#code={js_made}")).expect_err("over the limit");
    assert!(message.contains(&max.to_string()), "{message}");
}

#[test]
fn a_comparison_goes_through_the_address_and_a_bad_one_is_a_sentence() {
    let parsed = parse("?s=race&seed=12&step=7&vs=seed:13,mode:locked");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let vs = parsed.request.vs.as_ref().expect("a comparison");
    assert_eq!((vs.seed(), vs.mode()), (Some(13), Some("locked")));
    let mut query = format(parsed.request.scenario, &parsed.request.params, 12, None, 7);
    url::push_vs(&mut query, Some(vs));
    assert!(query.ends_with("&vs=seed:13,mode:locked"), "{query}");
    assert_eq!(parse(&query).request, parsed.request);
    assert!(
        parse(&query).request.same_run(&parse("?s=race&seed=12").request),
        "a comparison is no other run"
    );

    for (bad, says) in [
        ("colour:red", "vs=`colour:red` is not a run to compare with"),
        ("seed:x", "vs=`seed:x` is not a run to compare with"),
    ] {
        let parsed = parse(&format!("?s=race&seed=12&vs={bad}"));
        assert_eq!(parsed.request.vs, None);
        assert_eq!(parsed.request.seed, 12, "the run stays");
        assert_eq!(parsed.errors.len(), 1, "{bad}: {:?}", parsed.errors);
        assert!(
            parsed.errors[0].contains(says) && parsed.errors[0].ends_with("showing the run without a comparison"),
            "{}",
            parsed.errors[0]
        );
    }
    let long = format!("schedule:s:{}", "0".repeat(url::VS_CHARS_MAX));
    let parsed = parse(&format!("?s=race&seed=12&vs={long}"));
    assert!(parsed.errors[0].contains("-character limit"), "{:?}", parsed.errors);
}
