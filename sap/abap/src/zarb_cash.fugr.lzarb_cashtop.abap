FUNCTION-POOL zarb_cash.

* Batch-input field values are texts in the RFC user's own formats
* (date format and decimal notation of SU01/USR01): WRITE ... TO
* without a mask gives exactly those.
TYPES ty_fval TYPE c LENGTH 132.
TYPES ty_ftpost_tab TYPE STANDARD TABLE OF ftpost WITH DEFAULT KEY.
TYPES ty_return_tab TYPE STANDARD TABLE OF bapiret2 WITH DEFAULT KEY.
* 'X' or space: abap_bool needs TYPE-POOLS abap before release 7.02
TYPES ty_flag TYPE c LENGTH 1.
