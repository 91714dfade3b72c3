"""The work machinery: claims (an owner and an expiring lease on each unit of work) and the record of job runs."""
