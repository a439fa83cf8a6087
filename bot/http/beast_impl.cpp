// Beast compiled once (separate compilation).
#include <boost/beast/src.hpp>
