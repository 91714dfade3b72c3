*******************************************************************
*   System-defined Include-files.                                 *
*******************************************************************
* Global Declarations
INCLUDE lzarb_cashtop.
* Function Modules
INCLUDE lzarb_cashuxx.

*******************************************************************
*   User-defined Include-files (if necessary).                    *
*******************************************************************
* Subroutines
INCLUDE lzarb_cashf01.
