module deferbench/goref

go 1.19
