FUNCTION z_arb_reverse_document.
*"----------------------------------------------------------------------
*"*"Local Interface:
*"  IMPORTING
*"     VALUE(I_BUKRS) TYPE  BUKRS
*"     VALUE(I_BELNR) TYPE  BELNR_D
*"     VALUE(I_GJAHR) TYPE  GJAHR
*"     VALUE(I_STGRD) TYPE  STGRD
*"     VALUE(I_BUDAT) TYPE  BUDAT OPTIONAL
*"     VALUE(I_XBLNR) TYPE  XBLNR1 OPTIONAL
*"  EXPORTING
*"     VALUE(E_BELNR) TYPE  BELNR_D
*"     VALUE(E_GJAHR) TYPE  GJAHR
*"  TABLES
*"      ET_RETURN STRUCTURE  BAPIRET2
*"----------------------------------------------------------------------
* Remote-enabled wrapper around POSTING_INTERFACE_REVERSE_DOC (FB08) for
* arbridge's correcting journals: reverses an FI document posted by FB05
* (reference type BKPF), which BAPI_ACC_DOCUMENT_REV_POST cannot do.
* Commits itself. A document already reversed is returned with a
* warning, so a journal interrupted after this step can run it again.
* I_BUDAT empty: the original's posting date (reason without
* alternative posting date, e.g. 01).
  DATA: lt_blntab TYPE STANDARD TABLE OF blntab WITH DEFAULT KEY,
        ls_blntab TYPE blntab,
        lv_stblg  TYPE stblg,
        lv_stjah  TYPE stjah,
        lv_budat  TYPE budat,
        lv_monat  TYPE monat,
        lv_msgid  TYPE sy-msgid,
        lv_msgno  TYPE sy-msgno,
        lv_msgty  TYPE sy-msgty,
        lv_msgv1  TYPE sy-msgv1,
        lv_msgv2  TYPE sy-msgv2,
        lv_msgv3  TYPE sy-msgv3,
        lv_msgv4  TYPE sy-msgv4,
        lv_subrc  TYPE sy-subrc,
        lv_failed TYPE ty_flag.

  CLEAR: e_belnr, e_gjahr.
  SELECT SINGLE stblg stjah budat FROM bkpf INTO (lv_stblg, lv_stjah, lv_budat)
    WHERE bukrs = i_bukrs AND belnr = i_belnr AND gjahr = i_gjahr.
  IF sy-subrc <> 0.
    PERFORM add_text USING 'E' '006' 'Document to reverse does not exist' i_belnr
      CHANGING et_return[].
    RETURN.
  ENDIF.
  IF lv_stblg IS NOT INITIAL.
    e_belnr = lv_stblg.
    e_gjahr = lv_stjah.
    PERFORM add_text USING 'W' '004' 'Document already reversed' lv_stblg
      CHANGING et_return[].
    RETURN.
  ENDIF.
  IF i_budat IS NOT INITIAL.
    lv_budat = i_budat.
  ENDIF.
  lv_monat = lv_budat+4(2).

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

  CALL FUNCTION 'POSTING_INTERFACE_REVERSE_DOC'
    EXPORTING
      i_belns  = i_belnr
      i_bukrs  = i_bukrs
      i_gjahs  = i_gjahr
      i_stgrd  = i_stgrd
      i_budat  = lv_budat
      i_monat  = lv_monat
      i_tcode  = 'FB08'
    IMPORTING
      e_msgid  = lv_msgid
      e_msgno  = lv_msgno
      e_msgty  = lv_msgty
      e_msgv1  = lv_msgv1
      e_msgv2  = lv_msgv2
      e_msgv3  = lv_msgv3
      e_msgv4  = lv_msgv4
      e_subrc  = lv_subrc
    TABLES
      t_blntab = lt_blntab
    EXCEPTIONS
      OTHERS   = 1.

  lv_failed = ' '.
  IF sy-subrc <> 0 OR lv_subrc <> 0 OR lv_msgty CA 'EA'.
    lv_failed = 'X'.
  ELSE.
    READ TABLE lt_blntab INDEX 1 INTO ls_blntab.
    IF sy-subrc = 0.
      e_belnr = ls_blntab-belnr.
      e_gjahr = ls_blntab-gjahr.
    ENDIF.
  ENDIF.
  PERFORM add_interface_message
    USING lv_failed lv_msgid lv_msgno lv_msgv1 lv_msgv2 lv_msgv3 lv_msgv4
    CHANGING et_return[].

  CALL FUNCTION 'POSTING_INTERFACE_END'
    EXCEPTIONS
      OTHERS = 0.
ENDFUNCTION.
