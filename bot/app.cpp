// The server assembly (serve, demo).
#include "bot/app.hpp"
