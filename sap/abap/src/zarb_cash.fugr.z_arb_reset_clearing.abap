FUNCTION z_arb_reset_clearing.
*"----------------------------------------------------------------------
*"*"Local Interface:
*"  IMPORTING
*"     VALUE(I_BUKRS) TYPE  BUKRS
*"     VALUE(I_AUGBL) TYPE  AUGBL
*"     VALUE(I_GJAHR) TYPE  GJAHR
*"  TABLES
*"      ET_RETURN STRUCTURE  BAPIRET2
*"----------------------------------------------------------------------
* Remote-enabled wrapper around POSTING_INTERFACE_RESET_CLEARING (FBRA)
* for arbridge's correcting journals. The clearing document is named by
* its full key (company code, number, fiscal year). Resetting a clearing
* that no longer exists returns a warning, so that a journal interrupted
* after this step can safely run it again.
  DATA: lv_budat  TYPE budat,
        lv_count  TYPE i,
        lv_msgid  TYPE sy-msgid,
        lv_msgno  TYPE sy-msgno,
        lv_msgty  TYPE sy-msgty,
        lv_msgv1  TYPE sy-msgv1,
        lv_msgv2  TYPE sy-msgv2,
        lv_msgv3  TYPE sy-msgv3,
        lv_msgv4  TYPE sy-msgv4,
        lv_subrc  TYPE sy-subrc,
        lv_failed TYPE ty_flag.

* The clearing date of the items is the clearing document's posting date:
* with it, BSAD is read for this clearing document and year only.
  SELECT SINGLE budat FROM bkpf INTO lv_budat
    WHERE bukrs = i_bukrs AND belnr = i_augbl AND gjahr = i_gjahr.
  IF sy-subrc = 0.
    SELECT COUNT(*) FROM bsad INTO lv_count
      WHERE bukrs = i_bukrs AND augbl = i_augbl AND augdt = lv_budat.
  ENDIF.
  IF lv_count = 0.
    PERFORM add_text USING 'W' '003' 'Document has no clearing to reset' i_augbl
      CHANGING et_return[].
    RETURN.
  ENDIF.

  CALL FUNCTION 'POSTING_INTERFACE_START'
    EXPORTING
      i_function = 'C'
      i_mode     = 'N'
      i_update   = 'S'
    EXCEPTIONS
      OTHERS     = 1.
  IF sy-subrc <> 0.
    PERFORM add_sy_message CHANGING et_return[].
    RETURN.
  ENDIF.

  CALL FUNCTION 'POSTING_INTERFACE_RESET_CLEARING'
    EXPORTING
      i_augbl = i_augbl
      i_bukrs = i_bukrs
      i_gjahr = i_gjahr
      i_tcode = 'FBRA'
    IMPORTING
      e_msgid = lv_msgid
      e_msgno = lv_msgno
      e_msgty = lv_msgty
      e_msgv1 = lv_msgv1
      e_msgv2 = lv_msgv2
      e_msgv3 = lv_msgv3
      e_msgv4 = lv_msgv4
      e_subrc = lv_subrc
    EXCEPTIONS
      OTHERS  = 1.

  lv_failed = ' '.
  IF sy-subrc <> 0 OR lv_subrc <> 0 OR lv_msgty CA 'EA'.
    lv_failed = 'X'.
  ENDIF.
  PERFORM add_interface_message
    USING lv_failed lv_msgid lv_msgno lv_msgv1 lv_msgv2 lv_msgv3 lv_msgv4
    CHANGING et_return[].

  CALL FUNCTION 'POSTING_INTERFACE_END'
    EXCEPTIONS
      OTHERS = 0.
ENDFUNCTION.
