package components

func inputType(t string) string {
	if t == "" {
		return "text"
	}
	return t
}
