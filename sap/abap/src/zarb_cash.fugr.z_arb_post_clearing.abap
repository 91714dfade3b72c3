FUNCTION z_arb_post_clearing.
*"----------------------------------------------------------------------
*"*"Local Interface:
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
*"      IT_CLEAR STRUCTURE  ZARB_S_CLEAR
*"      ET_RETURN STRUCTURE  BAPIRET2
*"----------------------------------------------------------------------
* Remote-enabled wrapper around POSTING_INTERFACE_CLEARING (FB05) for
* arbridge: incoming payment, invoices cleared, residual items for short
* payments, excess on account. Commits itself (call transaction, update
* mode S).
*
* Idempotency: arbridge puts its key into I_XBLNR (BKPF-XBLNR). Under an
* exclusive lock on that reference (held until the document is posted),
* a document with the reference that is not reversed is returned with a
* warning and nothing is posted again.
  DATA: lt_ftpost  TYPE ty_ftpost_tab,
        lt_ftclear TYPE STANDARD TABLE OF ftclear WITH DEFAULT KEY,
        lt_blntab  TYPE STANDARD TABLE OF blntab WITH DEFAULT KEY,
        lt_fttax   TYPE STANDARD TABLE OF fttax WITH DEFAULT KEY,
        ls_ftclear TYPE ftclear,
        ls_blntab  TYPE blntab,
        lv_msgid   TYPE sy-msgid,
        lv_msgno   TYPE sy-msgno,
        lv_msgty   TYPE sy-msgty,
        lv_msgv1   TYPE sy-msgv1,
        lv_msgv2   TYPE sy-msgv2,
        lv_msgv3   TYPE sy-msgv3,
        lv_msgv4   TYPE sy-msgv4,
        lv_subrc   TYPE sy-subrc,
        lv_failed  TYPE ty_flag,
        lv_line    TYPE i,
        lv_amount  TYPE ty_fval,
        lv_date    TYPE ty_fval,
        lv_varkey  TYPE rstable-varkey.

  CLEAR: e_belnr, e_gjahr.

* 1. Lock the reference: a second call with the same key waits here
*    until the first has posted (or given up), then finds its document.
  lv_varkey(3) = sy-mandt.
  lv_varkey+3(4) = i_bukrs.
  lv_varkey+7(16) = i_xblnr.
  CALL FUNCTION 'ENQUEUE_E_TABLE'
    EXPORTING
      mode_rstable   = 'E'
      tabname        = 'BKPF'
      varkey         = lv_varkey
      _scope         = '1'
      _wait          = 'X'
    EXCEPTIONS
      foreign_lock   = 1
      system_failure = 2
      OTHERS         = 3.
  IF sy-subrc <> 0.
    PERFORM add_text
      USING 'E' '005' 'Reference is being posted by another session; try later'
            i_xblnr
      CHANGING et_return[].
    RETURN.
  ENDIF.

* 2. The key decides: already posted (and not reversed) -> return it.
  SELECT SINGLE belnr gjahr FROM bkpf INTO (e_belnr, e_gjahr)
    WHERE bukrs = i_bukrs AND xblnr = i_xblnr AND stblg = space.
  IF sy-subrc = 0.
    PERFORM add_text USING 'W' '002' 'Document with this reference already posted' e_belnr
      CHANGING et_return[].
    PERFORM unlock USING lv_varkey.
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
    PERFORM unlock USING lv_varkey.
    RETURN.
  ENDIF.

* 3. Header (K) and the bank line (P 1, posting key 40). Dates and
*    amounts in the RFC user's formats, as batch input reads them.
  PERFORM user_date USING i_bldat CHANGING lv_date.
  PERFORM ftpost USING 'K' 1 'BKPF-BLDAT' lv_date CHANGING lt_ftpost.
  PERFORM user_date USING i_budat CHANGING lv_date.
  PERFORM ftpost USING 'K' 1 'BKPF-BUDAT' lv_date CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-BLART' i_blart CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-BUKRS' i_bukrs CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-WAERS' i_waers CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-XBLNR' i_xblnr CHANGING lt_ftpost.
  PERFORM ftpost USING 'K' 1 'BKPF-BKTXT' i_bktxt CHANGING lt_ftpost.
  PERFORM user_amount USING i_wrbtr i_waers CHANGING lv_amount.
  PERFORM ftpost USING 'P' 1 'RF05A-NEWBS' '40' CHANGING lt_ftpost.
  PERFORM ftpost USING 'P' 1 'RF05A-NEWKO' i_hkont CHANGING lt_ftpost.
  PERFORM ftpost USING 'P' 1 'BSEG-WRBTR' lv_amount CHANGING lt_ftpost.
  PERFORM ftpost USING 'P' 1 'BSEG-ZUONR' i_xblnr CHANGING lt_ftpost.
  lv_line = 1.

* 4. Excess on account (posting key 15).
  IF i_on_account > 0.
    lv_line = lv_line + 1.
    PERFORM user_amount USING i_on_account i_waers CHANGING lv_amount.
    PERFORM ftpost USING 'P' lv_line 'RF05A-NEWBS' '15' CHANGING lt_ftpost.
    PERFORM ftpost USING 'P' lv_line 'RF05A-NEWKO' i_kunnr CHANGING lt_ftpost.
    PERFORM ftpost USING 'P' lv_line 'BSEG-WRBTR' lv_amount CHANGING lt_ftpost.
    PERFORM ftpost USING 'P' lv_line 'BSEG-ZUONR' i_xblnr CHANGING lt_ftpost.
  ENDIF.

* 5. The invoices to clear, each by its full key (document number,
*    fiscal year, line); a short payment leaves a residual item (posting
*    key 06) that refers to the invoice by number, year and line.
  LOOP AT it_clear.
    CLEAR ls_ftclear.
    ls_ftclear-agkoa = 'D'.
    ls_ftclear-agkon = i_kunnr.
    ls_ftclear-agbuk = i_bukrs.
    ls_ftclear-xnops = 'X'.
    ls_ftclear-selfd = 'BELNR'.
    CONCATENATE it_clear-belnr it_clear-gjahr it_clear-buzei
      INTO ls_ftclear-selvon.
    INSERT ls_ftclear INTO TABLE lt_ftclear.
    IF it_clear-residual > 0.
      lv_line = lv_line + 1.
      PERFORM user_amount USING it_clear-residual i_waers CHANGING lv_amount.
      PERFORM ftpost USING 'P' lv_line 'RF05A-NEWBS' '06' CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_line 'RF05A-NEWKO' i_kunnr CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_line 'BSEG-WRBTR' lv_amount CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_line 'BSEG-REBZG' it_clear-belnr CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_line 'BSEG-REBZJ' it_clear-gjahr CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_line 'BSEG-REBZZ' it_clear-buzei CHANGING lt_ftpost.
      PERFORM ftpost USING 'P' lv_line 'BSEG-SGTXT' it_clear-sgtxt CHANGING lt_ftpost.
    ENDIF.
  ENDLOOP.

  CALL FUNCTION 'POSTING_INTERFACE_CLEARING'
    EXPORTING
      i_auglv   = 'EINGZAHL'
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

* Call transaction in update mode S has committed the document.
  CALL FUNCTION 'POSTING_INTERFACE_END'
    EXCEPTIONS
      OTHERS = 0.
  PERFORM unlock USING lv_varkey.
ENDFUNCTION.
