module dyncreds

go 1.19
