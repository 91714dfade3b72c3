FUNCTION z_arb_post_clearing.
*"----------------------------------------------------------------------
*" Remote-enabled wrapper around POSTING_INTERFACE_CLEARING (FB05) for
*" arbridge: incoming payment, invoices cleared, residual items for short
*" payments, excess on account. Function group ZARB_CASH, processing type
*" "Remote-Enabled Module". The POSTING_INTERFACE_* modules are not
*" remote-enabled themselves, hence this wrapper.
*"
*" Idempotency: arbridge puts its key into I_XBLNR (BKPF-XBLNR). If a
*" document with that reference exists and is not reversed, it is returned
*" with a warning and nothing is posted again.
*"----------------------------------------------------------------------
*"  IMPORTING
*"     VALUE(I_BUKRS) TYPE  BUKRS
*"     VALUE(I_KUNNR) TYPE  KUNNR
*"     VALUE(I_WAERS) TYPE  WAERS
*"     VALUE(I_BLDAT) TYPE  BLDAT
*"     VALUE(I_BUDAT) TYPE  BUDAT
*"     VALUE(I_BLART) TYPE  BLART DEFAULT 'DZ'
*"     VALUE(I_XBLNR) TYPE  XBLNR1
*"     VALUE(I_BKTXT) TYPE  BKTXT
*"     VALUE(I_HKONT) TYPE  HKONT
*"     VALUE(I_WRBTR) TYPE  WRBTR
*"     VALUE(I_ON_ACCOUNT) TYPE  WRBTR OPTIONAL
*"  EXPORTING
*"     VALUE(E_BELNR) TYPE  BELNR_D
*"     VALUE(E_GJAHR) TYPE  GJAHR
*"  TABLES
*"      IT_CLEAR STRUCTURE  ZARB_S_CLEAR   " BELNR GJAHR BUZEI WRBTR RESIDUAL SGTXT
*"      ET_RETURN STRUCTURE  BAPIRET2
*"----------------------------------------------------------------------
  DATA: lt_ftpost  TYPE STANDARD TABLE OF ftpost,
        lt_ftclear TYPE STANDARD TABLE OF ftclear,
        lt_blntab  TYPE STANDARD TABLE OF blntab,
        lt_fttax   TYPE STANDARD TABLE OF fttax,
        ls_ftpost  TYPE ftpost,
        ls_ftclear TYPE ftclear,
        ls_return  TYPE bapiret2,
        lv_msgid   TYPE sy-msgid,
        lv_msgno   TYPE sy-msgno,
        lv_msgty   TYPE sy-msgty,
        lv_msgv1   TYPE sy-msgv1,
        lv_msgv2   TYPE sy-msgv2,
        lv_msgv3   TYPE sy-msgv3,
        lv_msgv4   TYPE sy-msgv4,
        lv_subrc   TYPE sy-subrc,
        lv_count   TYPE i,
        lv_amount  TYPE c LENGTH 20,
        lv_date    TYPE c LENGTH 10.

  " 1. The key decides: already posted (and not reversed) -> return it.
  SELECT SINGLE belnr gjahr FROM bkpf INTO (e_belnr, e_gjahr)
    WHERE bukrs = i_bukrs AND xblnr = i_xblnr AND stblg = space.
  IF sy-subrc = 0.
    ls_return-type = 'W'. ls_return-id = 'ZARB'. ls_return-number = '002'.
    ls_return-message_v1 = e_belnr.
    CONCATENATE 'Document' e_belnr 'with reference' i_xblnr 'already posted'
      INTO ls_return-message SEPARATED BY space.
    APPEND ls_return TO et_return.
    RETURN.
  ENDIF.

  CALL FUNCTION 'POSTING_INTERFACE_START'
    EXPORTING
      i_function = 'C'          " call transaction
      i_mode     = 'N'          " no screens
      i_update   = 'S'          " synchronous update
    EXCEPTIONS
      OTHERS     = 1.
  IF sy-subrc <> 0.
    PERFORM add_sy_message TABLES et_return.
    RETURN.
  ENDIF.

  " 2. Header (stype K) and the bank line (stype P, posting key 40).
  WRITE i_bldat TO lv_date DD/MM/YYYY.
  PERFORM ftpost USING 'K' 1 'BKPF-BLDAT' lv_date CHANGING lt_ftpost.
  WRITE i_budat TO lv_date DD/MM/YYYY.
  PERFORM ftpost USING 'K' 1 'BKPF-BUDAT' lv_date CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-BLART' i_blart CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-BUKRS' i_bukrs CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-WAERS' i_waers CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-XBLNR' i_xblnr CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-BKTXT' i_bktxt CHANGING lt_ftpost.
  WRITE i_wrbtr TO lv_amount CURRENCY i_waers.
  PERFORM ftpost USING 'P' 1 'RF05A-NEWBS' '40' CHANGING lt_ftpost.
  PERFORM ftpost USING 'P' 1 'RF05A-NEWKO' i_hkont CHANGING lt_ftpost.
  PERFORM ftpost USING 'P' 1 'BSEG-WRBTR' lv_amount CHANGING lt_ftpost.
  PERFORM ftpost USING 'P' 1 'BSEG-ZUONR' i_xblnr CHANGING lt_ftpost.

  " 3. Excess on account (posting key 15).
  IF i_on_account > 0.
    WRITE i_on_account TO lv_amount CURRENCY i_waers.
    PERFORM ftpost USING 'P' 2 'RF05A-NEWBS' '15' CHANGING lt_ftpost.
    PERFORM ftpost USING 'P' 2 'RF05A-NEWKO' i_kunnr CHANGING lt_ftpost.
    PERFORM ftpost USING 'P' 2 'BSEG-WRBTR' lv_amount CHANGING lt_ftpost.
    PERFORM ftpost USING 'P' 2 'BSEG-ZUONR' i_xblnr CHANGING lt_ftpost.
  ENDIF.

  " 4. The invoices to clear (FTCLEAR selects the open item by document number);
  "    a residual (short payment) is left open as a residual item (RF05A-AGREST style:
  "    the difference is posted to the customer by FB05's residual item processing).
  LOOP AT it_clear.
    CLEAR ls_ftclear.
    ls_ftclear-agkoa  = 'D'.
    ls_ftclear-agkon  = i_kunnr.
    ls_ftclear-agbuk  = i_bukrs.
    ls_ftclear-xnops  = 'X'.
    ls_ftclear-selfd  = 'BELNR'.
    CONCATENATE it_clear-belnr it_clear-gjahr it_clear-buzei INTO ls_ftclear-selvon.
    APPEND ls_ftclear TO lt_ftclear.
    IF it_clear-residual > 0.
      lv_count = lv_count + 1.
      WRITE it_clear-residual TO lv_amount CURRENCY i_waers.
      PERFORM ftpost USING 'P' lv_count + 2 'RF05A-NEWBS' '06' CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_count + 2 'RF05A-NEWKO' i_kunnr CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_count + 2 'BSEG-WRBTR' lv_amount CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_count + 2 'BSEG-REBZG' it_clear-belnr CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_count + 2 'BSEG-SGTXT' it_clear-sgtxt CHANGING lt_ftpost.
    ENDIF.
  ENDLOOP.

  CALL FUNCTION 'POSTING_INTERFACE_CLEARING'
    EXPORTING
      i_auglv   = 'EINGZAHL'    " incoming payment
      i_tcode   = 'FB05'
      i_sgfunct = 'C'
    IMPORTING
      e_msgid   = lv_msgid
      e_msgno   = lv_msgno
      e_msgty   = lv_msgty
      e_msgv1   = lv_msgv1
      e_msgv2   = lv_msgv2
      e_msgv3   = lv_msgv3
      e_msgv4   = lv_msgv4
      e_subrc   = lv_subrc
    TABLES
      t_blntab  = lt_blntab
      t_ftclear = lt_ftclear
      t_ftpost  = lt_ftpost
      t_fttax   = lt_fttax
    EXCEPTIONS
      OTHERS    = 1.

  CLEAR ls_return.
  ls_return-id = lv_msgid. ls_return-number = lv_msgno.
  ls_return-message_v1 = lv_msgv1. ls_return-message_v2 = lv_msgv2.
  ls_return-message_v3 = lv_msgv3. ls_return-message_v4 = lv_msgv4.
  IF sy-subrc <> 0 OR lv_subrc <> 0 OR lv_msgty CA 'EA'.
    ls_return-type = 'E'.
  ELSE.
    ls_return-type = 'S'.
    READ TABLE lt_blntab INDEX 1 INTO DATA(ls_bln).
    e_belnr = ls_bln-belnr. e_gjahr = ls_bln-gjahr.
  ENDIF.
  MESSAGE ID lv_msgid TYPE 'S' NUMBER lv_msgno
    WITH lv_msgv1 lv_msgv2 lv_msgv3 lv_msgv4 INTO ls_return-message.
  APPEND ls_return TO et_return.

  " Call transaction in update mode S has committed the document (FB05 COMMIT WORK).
  CALL FUNCTION 'POSTING_INTERFACE_END'
    EXCEPTIONS
      OTHERS = 0.
ENDFUNCTION.

FORM ftpost USING p_stype TYPE c p_count TYPE i p_fnam TYPE c p_fval TYPE any
            CHANGING pt_ftpost TYPE STANDARD TABLE.
  DATA ls_ftpost TYPE ftpost.
  ls_ftpost-stype = p_stype.
  ls_ftpost-count = p_count.
  ls_ftpost-fnam  = p_fnam.
  ls_ftpost-fval  = p_fval.
  CONDENSE ls_ftpost-fval.
  APPEND ls_ftpost TO pt_ftpost.
ENDFORM.

FORM add_sy_message TABLES pt_return STRUCTURE bapiret2.
  DATA ls_return TYPE bapiret2.
  ls_return-type = 'E'. ls_return-id = sy-msgid. ls_return-number = sy-msgno.
  MESSAGE ID sy-msgid TYPE 'S' NUMBER sy-msgno
    WITH sy-msgv1 sy-msgv2 sy-msgv3 sy-msgv4 INTO ls_return-message.
  APPEND ls_return TO pt_return.
ENDFORM.
