*----------------------------------------------------------------------*
*   Subroutines of the arbridge wrappers
*----------------------------------------------------------------------*

* One batch-input field for POSTING_INTERFACE_CLEARING: p_count is the
* screen (line) number, a plain integer variable or literal, never an
* expression (FORM parameters take no expressions).
FORM ftpost USING p_stype TYPE c
                  p_count TYPE i
                  p_fnam  TYPE c
                  p_fval  TYPE any
            CHANGING pt_ftpost TYPE ty_ftpost_tab.
  DATA ls_ftpost TYPE ftpost.
  ls_ftpost-stype = p_stype.
  ls_ftpost-count = p_count.
  ls_ftpost-fnam  = p_fnam.
  ls_ftpost-fval  = p_fval.
  CONDENSE ls_ftpost-fval.
  INSERT ls_ftpost INTO TABLE pt_ftpost.
ENDFORM.

* A date as batch input wants it: in the RFC user's date format.
FORM user_date USING p_date TYPE d
               CHANGING p_text TYPE ty_fval.
  CLEAR p_text.
  WRITE p_date TO p_text.
  CONDENSE p_text.
ENDFORM.

* An amount as batch input wants it: the RFC user's decimal notation,
* with the currency's decimals.
FORM user_amount USING p_amount TYPE wrbtr
                       p_waers  TYPE waers
                 CHANGING p_text TYPE ty_fval.
  CLEAR p_text.
  WRITE p_amount TO p_text CURRENCY p_waers NO-GROUPING.
  CONDENSE p_text NO-GAPS.
ENDFORM.

FORM add_sy_message CHANGING pt_return TYPE ty_return_tab.
  DATA ls_return TYPE bapiret2.
  ls_return-type = 'E'.
  ls_return-id = sy-msgid.
  ls_return-number = sy-msgno.
  ls_return-message_v1 = sy-msgv1.
  ls_return-message_v2 = sy-msgv2.
  ls_return-message_v3 = sy-msgv3.
  ls_return-message_v4 = sy-msgv4.
  MESSAGE ID sy-msgid TYPE 'S' NUMBER sy-msgno
    WITH sy-msgv1 sy-msgv2 sy-msgv3 sy-msgv4 INTO ls_return-message.
  INSERT ls_return INTO TABLE pt_return.
ENDFORM.

* The posting interface's answer (E_MSG* and E_SUBRC) as BAPIRET2.
FORM add_interface_message USING p_failed TYPE ty_flag
                                 p_msgid  TYPE sy-msgid
                                 p_msgno  TYPE sy-msgno
                                 p_msgv1  TYPE sy-msgv1
                                 p_msgv2  TYPE sy-msgv2
                                 p_msgv3  TYPE sy-msgv3
                                 p_msgv4  TYPE sy-msgv4
                           CHANGING pt_return TYPE ty_return_tab.
  DATA ls_return TYPE bapiret2.
  IF p_failed = 'X'.
    ls_return-type = 'E'.
  ELSE.
    ls_return-type = 'S'.
  ENDIF.
  ls_return-id = p_msgid.
  ls_return-number = p_msgno.
  ls_return-message_v1 = p_msgv1.
  ls_return-message_v2 = p_msgv2.
  ls_return-message_v3 = p_msgv3.
  ls_return-message_v4 = p_msgv4.
  IF p_msgid IS NOT INITIAL.
    MESSAGE ID p_msgid TYPE 'S' NUMBER p_msgno
      WITH p_msgv1 p_msgv2 p_msgv3 p_msgv4 INTO ls_return-message.
  ENDIF.
  INSERT ls_return INTO TABLE pt_return.
ENDFORM.

* A message of the wrappers' own (type, number, text).
FORM add_text USING p_type TYPE c
                    p_number TYPE c
                    p_text TYPE c
                    p_v1 TYPE c
              CHANGING pt_return TYPE ty_return_tab.
  DATA ls_return TYPE bapiret2.
  ls_return-type = p_type.
  ls_return-id = 'ZARB'.
  ls_return-number = p_number.
  ls_return-message = p_text.
  ls_return-message_v1 = p_v1.
  INSERT ls_return INTO TABLE pt_return.
ENDFORM.

* Release the lock on a reference taken by Z_ARB_POST_CLEARING.
FORM unlock USING p_varkey TYPE rstable-varkey.
  CALL FUNCTION 'DEQUEUE_E_TABLE'
    EXPORTING
      mode_rstable = 'E'
      tabname      = 'BKPF'
      varkey       = p_varkey
      _scope       = '1'.
ENDFORM.
