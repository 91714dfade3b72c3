"""The debtors' book: the age analysis as at any date with commentary per client, credit
balances and their causes, customer statements' content and the management pack's KPIs."""
