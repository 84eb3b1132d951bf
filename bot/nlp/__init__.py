"""French free text -> values: amounts, communes, legal forms, dates, contacts, yes/no. Pure functions."""
