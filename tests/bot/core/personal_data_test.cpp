#include "bot/core/personal_data.hpp"

#include <catch2/catch.hpp>

TEST_CASE("phone numbers are masked in every way citizens write them, keeping the last two digits", "[privacy]") {
    using bot::mask_personal_numbers;
    CHECK(mask_personal_numbers("sdt em 0912345678 a goi lai") == "sdt em ********78 a goi lai");
    CHECK(mask_personal_numbers("số 0912 345 678 ạ") == "số **** *** *78 ạ");
    CHECK(mask_personal_numbers("0912.345.678") == "****.***.*78");
    CHECK(mask_personal_numbers("0912-345-678") == "****-***-*78");
    CHECK(mask_personal_numbers("+84912345678") == "+*********78");
    CHECK(mask_personal_numbers("sdt0912345678") == "sdt********78");
    CHECK(mask_personal_numbers("gọi 0204 3870 101") == "gọi **** **** *01");
}

TEST_CASE("citizen ID and old ID card numbers are masked", "[privacy]") {
    using bot::mask_personal_numbers;
    CHECK(mask_personal_numbers("CCCD 001203004567 bị sai") == "CCCD **********67 bị sai");
    CHECK(mask_personal_numbers("cmnd:123456789") == "cmnd:*******89");
}

TEST_CASE("dates, years, times, short numbers and amounts below eight digits stay readable", "[privacy]") {
    using bot::mask_personal_numbers;
    for (const char* s : {"nộp ngày 12/05/2024 lúc 08:30", "hạn 2024-05-12", "ngày 12.05.2024", "ngày 1.5.2024",
                          "năm 2023 con 2 tuổi", "lệ phí 1.500.000 đồng", "số nhà 125, tổ 7",
                          "không có số"}) {
        INFO(s);
        CHECK(mask_personal_numbers(s) == s);
    }
}

TEST_CASE("text around the numbers, Vietnamese included, is unchanged", "[privacy]") {
    CHECK(bot::mask_personal_numbers("Đăng ký khai sinh cho con, số điện thoại 0987654321, CCCD 036095001234.") ==
          "Đăng ký khai sinh cho con, số điện thoại ********21, CCCD **********34.");
    CHECK(bot::mask_personal_numbers("").empty());
}

TEST_CASE("dossier codes, which let anyone look a citizen's dossier up, are masked too", "[privacy]") {
    CHECK(bot::mask_personal_numbers("hồ sơ HS-2023-000123 đâu rồi") == "hồ sơ HS-****-****23 đâu rồi");
}
