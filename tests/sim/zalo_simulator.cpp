// The Zalo API simulator (zalo area).
