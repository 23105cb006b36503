// Accord's progressive enhancement, appended to GOV.UK Frontend's module bundle at build time.
//
// GOV.UK's page template marks the body with an inline script; Accord's Content-Security-Policy
// allows no inline script, so the classes are set here instead. A module script only runs in
// browsers that support ES modules, which is the support test GOV.UK Frontend itself uses.
// Every page works without this file.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
