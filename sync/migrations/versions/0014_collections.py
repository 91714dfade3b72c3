"""Collections: dunning levels and reminders, the contact log, promises to pay with their
instalments, dispute cases, credit-note requests, legal notices and prescription
interruptions.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import Money, UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_code', sa.String(length=4), nullable=False),
    sa.Column('customer', sa.String(length=10), nullable=False),
    sa.Column('collector', sa.String(length=80), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('contact_person', sa.String(length=120), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('agreed', sa.Text(), nullable=True),
    sa.Column('call_back', sa.Date(), nullable=True),
    sa.Column('deidentified', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_contact_log_customer', 'contact_log', ['company_code', 'customer', 'at'], unique=False)
    op.create_table('dispute_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('company_code', sa.String(length=4), nullable=False),
    sa.Column('customer', sa.String(length=10), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('billing_document', sa.String(length=10), nullable=True),
    sa.Column('currency', sa.String(length=5), nullable=False),
    sa.Column('original', Money(), nullable=False),
    sa.Column('disputed', Money(), nullable=False),
    sa.Column('credited', Money(), nullable=False),
    sa.Column('written_off', Money(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('root_cause', sa.String(length=40), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('resolution', sa.String(length=12), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source')
    )
    op.create_index(op.f('ix_dispute_case_customer'), 'dispute_case', ['customer'], unique=False)
    op.create_index(op.f('ix_dispute_case_status'), 'dispute_case', ['status'], unique=False)
    op.create_table('dunning_level',
    sa.Column('company_code', sa.String(length=4), nullable=False),
    sa.Column('customer', sa.String(length=10), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reached_on', sa.Date(), nullable=True),
    sa.Column('raise_pending', sa.Boolean(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('company_code', 'customer')
    )
    op.create_table('dunning_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_code', sa.String(length=4), nullable=False),
    sa.Column('customer', sa.String(length=10), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('template', sa.String(length=200), nullable=False),
    sa.Column('run_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('amounts', sa.Text(), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('recipient', sa.String(length=241), nullable=True),
    sa.Column('document', sa.String(length=300), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('sent_at', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_code', 'customer', 'cycle', 'level', name='uq_dunning_reminder_level')
    )
    op.create_index(op.f('ix_dunning_reminder_customer'), 'dunning_reminder', ['customer'], unique=False)
    op.create_index(op.f('ix_dunning_reminder_state'), 'dunning_reminder', ['state'], unique=False)
    op.create_table('legal_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_code', sa.String(length=4), nullable=False),
    sa.Column('customer', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=5), nullable=False),
    sa.Column('arrears', Money(), nullable=False),
    sa.Column('document', sa.String(length=300), nullable=True),
    sa.Column('tracking_ref', sa.String(length=40), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_code', 'customer', 'kind', 'cycle', name='uq_legal_notice_cycle')
    )
    op.create_table('credit_note_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=True),
    sa.Column('company_code', sa.String(length=4), nullable=False),
    sa.Column('customer', sa.String(length=10), nullable=False),
    sa.Column('billing_document', sa.String(length=10), nullable=True),
    sa.Column('currency', sa.String(length=5), nullable=False),
    sa.Column('amount', Money(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('credit_memo', sa.String(length=10), nullable=True),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['dispute_case.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source')
    )
    op.create_index(op.f('ix_credit_note_request_state'), 'credit_note_request', ['state'], unique=False)
    op.create_table('prescription_interruption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_code', sa.String(length=4), nullable=False),
    sa.Column('customer', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=15), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['dispute_case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_prescription_interruption_customer'), 'prescription_interruption', ['customer'], unique=False)
    op.create_table('promise_to_pay',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('company_code', sa.String(length=4), nullable=False),
    sa.Column('customer', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('currency', sa.String(length=5), nullable=False),
    sa.Column('amount', Money(), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('paid', Money(), nullable=False),
    sa.Column('judged_on', sa.Date(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact_log.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    op.create_index(op.f('ix_promise_to_pay_customer'), 'promise_to_pay', ['customer'], unique=False)
    op.create_index(op.f('ix_promise_to_pay_state'), 'promise_to_pay', ['state'], unique=False)
    op.create_table('promise_instalment',
    sa.Column('promise_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount', Money(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['promise_id'], ['promise_to_pay.id'], ),
    sa.PrimaryKeyConstraint('promise_id', 'seq')
    )


def downgrade() -> None:
    op.drop_table("promise_instalment")
    op.drop_table("promise_to_pay")
    op.drop_table("prescription_interruption")
    op.drop_table("credit_note_request")
    op.drop_table("legal_notice")
    op.drop_table("dunning_reminder")
    op.drop_table("dunning_level")
    op.drop_table("dispute_case")
    op.drop_table("contact_log")
