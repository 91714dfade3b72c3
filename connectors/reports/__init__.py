"""The debtors' book leaving arbridge: the age analysis and the management pack as Excel
workbooks, customer statements as PDFs sent through the notification layer."""
