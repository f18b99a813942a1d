package main

const docsFile = "zz_generated_docs.go"

func genDocs(preloaded []string) ([]byte, error) { return nil, nil }
