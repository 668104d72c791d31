module github.com/libdyncreds/libdyncreds/capi/go

go 1.19
