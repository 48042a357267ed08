"""yibao: 医保 contribution cycle."""
