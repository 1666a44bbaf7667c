"""Pure analytics on the tidy frames the ETL publishes: data in, result out."""
