Feature: Listings
  A buyer sees their own orders, newest first. The buyers of a product are the people who
  hold a live order for it: paid or further along, and not refunded.

  Scenario: A buyer's orders are listed newest first
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And the shop sells "성주 참외 3kg" at 25,000 won
    And the shop sells "고창 수박 8kg" at 28,000 won
    And Minji ordered 1 "제주 감귤 5kg" to pay with KakaoPay
    And Minji ordered 1 "성주 참외 3kg" to pay with KakaoPay
    And Minji ordered 1 "고창 수박 8kg" to pay with KakaoPay
    Then Minji's orders are listed as "고창 수박 8kg", "성주 참외 3kg", "제주 감귤 5kg"

  Scenario: The buyers of a product are those with a live order
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And Minji paid for "제주 감귤 5kg" with KakaoPay
    And Jisoo paid for "제주 감귤 5kg" with KakaoPay
    And Hyun ordered 1 "제주 감귤 5kg" to pay with KakaoPay
    And Sora ordered 1 "제주 감귤 5kg" to pay with KakaoPay
    And Sora cancelled on KakaoPay's page
    Then the buyers of "제주 감귤 5kg" are Minji and Jisoo

  Scenario: A refunded buyer is no longer a buyer of the product
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And Minji paid for "제주 감귤 5kg" with KakaoPay
    And Jisoo paid for "제주 감귤 5kg" with KakaoPay
    And Hyun paid for "제주 감귤 5kg" with KakaoPay
    And the matcher formed group 3 of Minji and Jisoo
    And the buyers of "제주 감귤 5kg" are Minji, Jisoo and Hyun
    When group 3 expires
    Then the buyers of "제주 감귤 5kg" are Hyun
