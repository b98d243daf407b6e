"""The REST API for HRIS and HR automation (issue 17): token authentication, the directory,
programmes, applications, pairs, session metadata and the dashboard's figures as JSON."""
