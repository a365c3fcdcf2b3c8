// GOV.UK Frontend's markers that scripts run (kept out of the page for the Content-Security-Policy).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
