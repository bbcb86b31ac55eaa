//! A household in another currency (QA item 13): the built-in prices are
//! US dollars and cents. A currency with cents keeps the numbers; one with
//! other decimals is refused with a message that says which prices do not
//! fit and how to give prices in it, and never names a file nobody gave.

use coinguard::config::Config;
use coinguard::money::Currency;

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

fn refusal(code: &str) -> String {
    Config::defaults()
        .unwrap()
        .with_currency(currency(code))
        .unwrap_err()
        .to_string()
}

#[test]
fn built_in_prices_in_a_currency_without_cents_are_refused_with_what_to_do() {
    let message = refusal("JPY");
    assert!(
        message.starts_with(
            "coinguard's built-in prices are the platform's US-dollar price list, in cents, so they do not fit JPY (no decimals): \
             \"0.99\" has more decimals than JPY allows (at most 0). The prices that do not fit: coins-70 (0.99), coins-350 (4.99)"
        ),
        "{message}"
    );
    assert!(message.contains("coins-17500 (249.99)"), "{message}");
    assert!(
        message.contains("write an economy.toml with every price in JPY")
            && message.contains("run init again with --config FOLDER"),
        "{message}"
    );
    assert!(!message.contains("config file"), "{message}");
    assert!(!message.contains("line "), "{message}");
}

#[test]
fn built_in_prices_are_not_silently_read_as_dinars() {
    let message = refusal("KWD");
    assert!(
        message.contains("KWD has 3 decimals")
            && message.contains("70 coins would cost 0.990 KWD")
            && message.contains("write an economy.toml with every price in KWD"),
        "{message}"
    );
    assert!(!message.contains("config file"), "{message}");
}

#[test]
fn a_currency_with_cents_keeps_the_numbers() {
    let config = Config::defaults()
        .unwrap()
        .with_currency(currency("EUR"))
        .unwrap();
    assert_eq!(config.settings.currency.code(), "EUR");
    assert_eq!(
        config.economy.packs[0].price.to_string(),
        "0.99 EUR",
        "the same numbers, in euros"
    );
}

#[test]
fn an_economy_priced_in_yen_is_taken_and_one_that_does_not_fit_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let yen = coinguard::config::built_in_economy_toml()
        .replace("\"0.99\"", "\"160\"")
        .replace("\"4.99\"", "\"800\"")
        .replace("\"9.99\"", "\"1600\"")
        .replace("\"19.99\"", "\"3200\"")
        .replace("\"49.99\"", "\"8000\"")
        .replace("\"99.99\"", "\"16000\"")
        .replace("\"249.99\"", "\"40000\"")
        .replace("\"10.00\"", "\"1500\"")
        .replace("\"0.005\"", "\"0.8\"");
    std::fs::write(dir.path().join("economy.toml"), &yen).unwrap();
    let config = Config::load(Some(dir.path()))
        .unwrap()
        .with_currency(currency("JPY"))
        .unwrap();
    assert_eq!(config.economy.packs[0].price.to_string(), "160 JPY");
    // 0.8 JPY a diamond: 5 diamonds make a whole yen.
    let (paying, pays) = config
        .economy
        .diamonds_payout(coinguard::money::Diamonds::new(7))
        .unwrap();
    assert_eq!((paying.get(), pays.to_string()), (5, "4 JPY".to_string()));

    // A given economy.toml still in dollars: its own prices are named.
    std::fs::write(
        dir.path().join("economy.toml"),
        coinguard::config::built_in_economy_toml().replace("\"10.00\"", "\"10.50\""),
    )
    .unwrap();
    let message = Config::load(Some(dir.path()))
        .unwrap()
        .with_currency(currency("JPY"))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("the prices in the economy.toml you gave do not fit JPY")
            && message.contains("coins-70 (0.99)")
            && message.contains("minimum_payout (10.5)"),
        "{message}"
    );
}

#[test]
fn a_settings_file_in_yen_without_prices_in_yen_gets_the_same_advice() {
    let dir = tempfile::tempdir().unwrap();
    let settings = "currency = \"JPY\"\ntimezone = \"Asia/Tokyo\"\nrequest_expiry_hours = 48\n\
                    clock_tolerance_seconds = 120\nunknown_creator = \"needs_approval\"\n";
    std::fs::write(dir.path().join("settings.toml"), settings).unwrap();
    let message = Config::load(Some(dir.path())).unwrap_err().to_string();
    assert!(
        message.contains("so they do not fit JPY") && !message.contains("config file"),
        "{message}"
    );
}
