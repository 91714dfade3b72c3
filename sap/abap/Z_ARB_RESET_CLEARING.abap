FUNCTION z_arb_reset_clearing.
*"----------------------------------------------------------------------
*" Remote-enabled wrapper around POSTING_INTERFACE_RESET_CLEARING (FBRA)
*" for arbridge's correcting journals. Function group ZARB_CASH,
*" processing type "Remote-Enabled Module".
*" Resetting a clearing that no longer exists returns a warning, so that
*" a journal interrupted after this step can safely run it again.
*"----------------------------------------------------------------------
*"  IMPORTING
*"     VALUE(I_BUKRS) TYPE  BUKRS
*"     VALUE(I_AUGBL) TYPE  AUGBL
*"     VALUE(I_GJAHR) TYPE  GJAHR
*"  TABLES
*"      ET_RETURN STRUCTURE  BAPIRET2
*"----------------------------------------------------------------------
  DATA: ls_return TYPE bapiret2,
        lv_msgid  TYPE sy-msgid,
        lv_msgno  TYPE sy-msgno,
        lv_msgty  TYPE sy-msgty,
        lv_msgv1  TYPE sy-msgv1,
        lv_msgv2  TYPE sy-msgv2,
        lv_msgv3  TYPE sy-msgv3,
        lv_msgv4  TYPE sy-msgv4,
        lv_subrc  TYPE sy-subrc.

  SELECT COUNT(*) FROM bsad WHERE bukrs = i_bukrs AND augbl = i_augbl.
  IF sy-dbcnt = 0.
    ls_return-type = 'W'. ls_return-id = 'ZARB'. ls_return-number = '003'.
    CONCATENATE 'Document' i_augbl 'has no clearing to reset'
      INTO ls_return-message SEPARATED BY space.
    APPEND ls_return TO et_return.
    RETURN.
  ENDIF.

  CALL FUNCTION 'POSTING_INTERFACE_START'
    EXPORTING
      i_function = 'C'
      i_mode     = 'N'
      i_update   = 'S'
    EXCEPTIONS
      OTHERS     = 1.

  CALL FUNCTION 'POSTING_INTERFACE_RESET_CLEARING'
    EXPORTING
      i_augbl  = i_augbl
      i_bukrs  = i_bukrs
      i_gjahr  = i_gjahr
      i_tcode  = 'FBRA'
    IMPORTING
      e_msgid  = lv_msgid
      e_msgno  = lv_msgno
      e_msgty  = lv_msgty
      e_msgv1  = lv_msgv1
      e_msgv2  = lv_msgv2
      e_msgv3  = lv_msgv3
      e_msgv4  = lv_msgv4
      e_subrc  = lv_subrc
    EXCEPTIONS
      OTHERS   = 1.

  ls_return-id = lv_msgid. ls_return-number = lv_msgno.
  IF sy-subrc <> 0 OR lv_subrc <> 0 OR lv_msgty CA 'EA'.
    ls_return-type = 'E'.
  ELSE.
    ls_return-type = 'S'.
  ENDIF.
  MESSAGE ID lv_msgid TYPE 'S' NUMBER lv_msgno
    WITH lv_msgv1 lv_msgv2 lv_msgv3 lv_msgv4 INTO ls_return-message.
  APPEND ls_return TO et_return.

  CALL FUNCTION 'POSTING_INTERFACE_END'
    EXCEPTIONS
      OTHERS = 0.
ENDFUNCTION.
