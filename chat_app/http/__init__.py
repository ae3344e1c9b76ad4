"""Plain HTTP around the Reflex app: the file download route and the upload size limit."""
