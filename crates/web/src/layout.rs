//! The page template: GOV.UK's layout with Accord's header, navigation and footer.
//!
//! Every HTML page goes through [`page`], so every page has the skip link, the header with the
//! organisation's name, the service navigation, the phase banner, a `<main>` in British English,
//! the footer, and a title in GOV.UK's pattern ("Partnerships – Accord").

use accord_domain::Invalid;
use maud::{DOCTYPE, Markup, html};

use crate::WebConfig;
use crate::assets;
use crate::components::{self, Crumb};

/// One link of the service navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    /// The link text.
    pub text: &'static str,
    /// Where it goes; also the prefix of the section's pages.
    pub href: &'static str,
}

/// The service navigation, in order. Each section of the service adds its entry here.
pub const NAVIGATION: &[NavItem] = &[
    NavItem {
        text: "Partnerships",
        href: "/",
    },
    NavItem {
        text: "Councils",
        href: "/authorities",
    },
    NavItem {
        text: "Services",
        href: "/services",
    },
    NavItem {
        text: "Deadline calculator",
        href: "/deadline-calculator",
    },
];

/// How a page presents itself: its title, where it sits, and whether its form was refused.
#[derive(Debug, Clone, Default)]
pub struct Page {
    title: String,
    has_errors: bool,
    breadcrumbs: Vec<Crumb>,
    back_link: Option<String>,
    current: Option<(&'static str, bool)>,
    account: Option<Account>,
}

/// Who is signed in, for the header's account links.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Their name, when signed in.
    pub name: Option<String>,
    /// The CSRF token for the sign-out form.
    pub csrf: String,
}

impl Page {
    /// A page whose `<title>` reads "`title` – Accord". Use the page's `<h1>` text.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Marks the page as showing a refused form: its title starts with "Error: ", as GOV.UK
    /// asks, so screen reader users hear at once that something needs fixing.
    #[must_use]
    pub fn with_errors(mut self, errors: &Invalid) -> Self {
        self.has_errors = !errors.is_empty();
        self
    }

    /// Adds a breadcrumb (in order, from the home page down; not the current page).
    #[must_use]
    pub fn breadcrumb(mut self, text: impl Into<String>, href: impl Into<String>) -> Self {
        self.breadcrumbs.push(Crumb {
            text: text.into(),
            href: href.into(),
        });
        self
    }

    /// Shows a back link instead of breadcrumbs, for steps of a form.
    #[must_use]
    pub fn back_link(mut self, href: impl Into<String>) -> Self {
        self.back_link = Some(href.into());
        self
    }

    /// Marks the navigation item `href` as this very page.
    #[must_use]
    pub fn current_page(mut self, href: &'static str) -> Self {
        self.current = Some((href, true));
        self
    }

    /// Shows the caller's account links in the header: their name and "Sign out", or "Sign in".
    #[must_use]
    pub fn account(mut self, account: Account) -> Self {
        self.account = Some(account);
        self
    }

    /// Marks the navigation item `href` as the section this page belongs to.
    #[must_use]
    pub fn section(mut self, href: &'static str) -> Self {
        self.current = Some((href, false));
        self
    }

    /// The text of the `<title>` element.
    pub fn full_title(&self, config: &WebConfig) -> String {
        let prefix = if self.has_errors { "Error: " } else { "" };
        format!("{prefix}{} – {}", self.title, config.service_name)
    }
}

/// Renders a whole HTML document around `content`.
pub fn page(config: &WebConfig, page: &Page, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" class="govuk-template" {
            head {
                meta charset="utf-8";
                title { (page.full_title(config)) }
                meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
                meta name="theme-color" content="#0f385c";
                link rel="icon" href=(assets::FAVICON_SVG) type="image/svg+xml";
                link rel="stylesheet" href=(assets::ACCORD_CSS);
            }
            body class="govuk-template__body" {
                a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link" {
                    "Skip to main content"
                }
                (header(config, page))
                div class="govuk-width-container" {
                    (phase_banner())
                    @if config.demo {
                        div class="govuk-inset-text accord-demo-notice" {
                            "This is a demonstration: its records come from public documents, and its demo accounts have a published passphrase. "
                            a class="govuk-link" href="/sign-in" { "Sign in as a demo user" }
                            " to see what each role sees."
                        }
                    }
                    @if let Some(href) = &page.back_link {
                        (components::back_link(href))
                    } @else if !page.breadcrumbs.is_empty() {
                        (components::breadcrumbs(&page.breadcrumbs))
                    }
                    main class="govuk-main-wrapper govuk-main-wrapper--auto-spacing" id="main-content" lang="en-GB" {
                        (content)
                    }
                }
                (footer())
                script type="module" src=(assets::ACCORD_JS) {}
            }
        }
    }
}

fn header(config: &WebConfig, page: &Page) -> Markup {
    let home = config.organisation_url.as_deref().unwrap_or("/");
    html! {
        header class="govuk-template__header" {
            div class="govuk-generic-header" {
                div class="govuk-generic-header__container govuk-width-container" {
                    div class="govuk-generic-header__logo" {
                        a href=(home) class="govuk-generic-header__homepage-link" {
                            span class="accord-header__organisation" { (config.organisation) }
                        }
                    }
                }
            }
            section aria-label="Service information" class="govuk-service-navigation" data-module="govuk-service-navigation" {
                div class="govuk-width-container" {
                    div class="govuk-service-navigation__container" {
                        span class="govuk-service-navigation__service-name" {
                            a href="/" class="govuk-service-navigation__link" { (config.service_name) }
                        }
                        (navigation(page))
                        @if let Some(account) = &page.account {
                            (account_links(account))
                        }
                    }
                }
            }
        }
    }
}

fn account_links(account: &Account) -> Markup {
    html! {
        div class="accord-account" {
            @if let Some(name) = &account.name {
                a class="govuk-link govuk-link--no-visited-state accord-account__name" href="/account" { (name) }
                form method="post" action="/sign-out" class="accord-account__sign-out" {
                    input type="hidden" name=(crate::auth::CSRF_FIELD) value=(account.csrf);
                    button type="submit" class="accord-link-button" { "Sign out" }
                }
            } @else {
                a class="govuk-link govuk-link--no-visited-state" href="/sign-in" { "Sign in" }
            }
        }
    }
}

fn navigation(page: &Page) -> Markup {
    html! {
        nav aria-label="Menu" class="govuk-service-navigation__wrapper" {
            @if NAVIGATION.len() > 1 {
                button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle"
                    aria-controls="navigation" hidden aria-hidden="true" { "Menu" }
            }
            ul class="govuk-service-navigation__list" id="navigation" {
                @for item in NAVIGATION {
                    @let current = page.current.filter(|(href, _)| *href == item.href);
                    @if let Some((_, exact)) = current {
                        li class="govuk-service-navigation__item govuk-service-navigation__item--active" {
                            a class="govuk-service-navigation__link" href=(item.href)
                                aria-current=(if exact { "page" } else { "true" }) {
                                strong class="govuk-service-navigation__active-fallback" { (item.text) }
                            }
                        }
                    } @else {
                        li class="govuk-service-navigation__item" {
                            a class="govuk-service-navigation__link" href=(item.href) { (item.text) }
                        }
                    }
                }
            }
        }
    }
}

fn phase_banner() -> Markup {
    html! {
        div class="govuk-phase-banner" {
            p class="govuk-phase-banner__content" {
                strong class="govuk-tag govuk-phase-banner__content__tag" { "Beta" }
                span class="govuk-phase-banner__text" {
                    "This is a new service. Help us improve it: "
                    a class="govuk-link" href="/feedback" { "report a problem or suggest a change" }
                    "."
                }
            }
        }
    }
}

fn footer() -> Markup {
    html! {
        footer class="govuk-template__footer" {
            div class="govuk-footer" {
                div class="govuk-width-container" {
                    div class="govuk-footer__meta" {
                        div class="govuk-footer__meta-item govuk-footer__meta-item--grow" {
                            h2 class="govuk-visually-hidden" { "Support links" }
                            ul class="govuk-footer__inline-list" {
                                li class="govuk-footer__inline-list-item" {
                                    a class="govuk-footer__link" href="/data-sources" { "Data sources and credits" }
                                }
                                li class="govuk-footer__inline-list-item" {
                                    a class="govuk-footer__link" href="/api/openapi.json" { "API description (OpenAPI)" }
                                }
                            }
                            div class="govuk-footer__meta-custom" {
                                "Accord is open-source software, released under the "
                                a class="govuk-footer__link" rel="license" href="/licence" { "MIT licence" }
                                ". Built with the GOV.UK Design System."
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_follow_the_gov_uk_pattern() {
        let config = WebConfig::new("London Borough of Haringey");
        let mut errors = Invalid::new();
        let cases = [
            (Page::new("Partnerships"), "Partnerships – Accord"),
            (
                Page::new("Add a member").with_errors(&errors),
                "Add a member – Accord",
            ),
        ];
        for (page, expected) in cases {
            assert_eq!(page.full_title(&config), expected);
        }
        errors.push("name", "Enter a name");
        assert_eq!(
            Page::new("Add a member")
                .with_errors(&errors)
                .full_title(&config),
            "Error: Add a member – Accord"
        );
    }

    #[test]
    fn page_has_the_template_landmarks_and_no_crown() {
        let config = WebConfig::new("London Borough of Haringey");
        let html = page(
            &config,
            &Page::new("Home").current_page("/"),
            html! { h1 { "Hello" } },
        )
        .into_string();
        for expected in [
            "<html lang=\"en-GB\" class=\"govuk-template\">",
            "<title>Home – Accord</title>",
            "class=\"govuk-skip-link\"",
            "London Borough of Haringey",
            "govuk-service-navigation__service-name",
            "aria-current=\"page\"",
            "govuk-phase-banner",
            "<main class=\"govuk-main-wrapper govuk-main-wrapper--auto-spacing\" id=\"main-content\" lang=\"en-GB\">",
            "MIT licence",
            "href=\"/data-sources\"",
        ] {
            assert!(html.contains(expected), "page lacks {expected}: {html}");
        }
        for forbidden in [
            "GOV.UK</",
            "crown",
            "Crown",
            "govuk-logo",
            "Open Government Licence",
        ] {
            assert!(!html.contains(forbidden), "page contains {forbidden}");
        }
    }

    #[test]
    fn the_only_script_is_the_external_module() {
        let config = WebConfig::new("Council");
        let html = page(&config, &Page::new("Home"), html! {}).into_string();
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains(&format!(
            "<script type=\"module\" src=\"{}\"></script>",
            assets::ACCORD_JS
        )));
    }
}
